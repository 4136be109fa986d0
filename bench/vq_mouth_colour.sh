#!/bin/sh
# Is the critic's VQ fair to a mouth's colour and light? (issue #16, docs/rig.md "Teeth
# take the face's warmth"): real talking faces, scored as they are and with the inside of
# their open mouths (dlib's inner-lip polygon, every frame) greyer, more colourful, darker
# and lighter (`rig_gallery recolour VIDEO OUT SATURATION GAIN`: chroma about luma × 0.5
# and × 1.5, luma × 0.7 and × 1.3; the audio muxed back). A real video is by definition
# natural: a head that scores the greyer (darker) copy higher than the original on most
# clips prefers grey (dark) mouths, not real ones.
# Every STEP-th realtalk clip (default 6: 16 clips, ~8 min on an idle 2-core machine), or
# with SPEAKERS=heldout every clip of the held-out speakers (12 clips, never trained on by
# any model, the VQ head included). The summary gives the held-out and the training
# speakers apart too. The heads are PARLA_DATA_DIR's (models/critic/vq.pt).
# Usage: [STEP=6] [SPEAKERS=heldout] bench/vq_mouth_colour.sh [PARLA [RIG_GALLERY]]
set -eu
parla=${1:-build/cli/parla}
gallery=${2:-build/tests/video/rig_gallery}
media=../shared/media/realtalk
. bench/realtalk_common.sh
heldout_speakers "$work/heldout.txt"
printf 'clip\tspeaker\treal\tgreyer\tmore_colourful\tdarker\tlighter\n' | tee "$work/vq.tsv"
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file speaker; do
  line="${file%.mp4}	$speaker	$(vq "$parla" "$media/$file" 2 || echo nan)"
  for change in "0.5 1" "1.5 1" "1 0.7" "1 1.3"; do  # SATURATION GAIN
    # shellcheck disable=SC2086
    if "$gallery" recolour "$media/$file" "$work/v.mp4" $change >/dev/null 2>&1 &&
        ffmpeg -nostdin -v error -y -i "$work/v.mp4" -i "$media/$file" -map 0:v -map 1:a -c copy -shortest "$work/m.mp4"; then
      line="$line	$(vq "$parla" "$work/m.mp4" 2 || echo nan)"
    else
      line="$line	nan"
    fi
  done
  printf '%s\n' "$line" | tee -a "$work/vq.tsv"
done
python3 - "$work/vq.tsv" "$work/heldout.txt" <<'EOF'
import statistics as st, sys
sys.path.insert(0, "bench")
from speaker_groups import groups
for label, part in groups(sys.argv[1], sys.argv[2]):
    real = [r[0] for r in part]
    changes = []
    for i, name in enumerate(("greyer", "more colourful", "darker", "lighter"), 1):
        vq = [r[i] for r in part]
        changes.append(f"{name} {st.mean(vq):.2f} (above the real video on {sum(v > r for v, r in zip(vq, real))})")
    print(f"{label}, {len(part)} clips: VQ of the real videos {st.mean(real):.2f}; with their open mouths " + ", ".join(changes))
EOF
