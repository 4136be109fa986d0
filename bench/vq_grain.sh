#!/bin/sh
# Is the critic's VQ fair to film grain? (issue #16, docs/critic.md "What VQ rewards that it
# should not"): a real video always carries fresh sensor and codec noise from frame to
# frame; Parla's render of a still portrait carries the portrait's own grain, frozen, and
# none that changes. Grain is not a fault a viewer sees, so VQ should score a video alike
# with and without a little more of it. Every STEP-th realtalk clip (default 6: 16 clips,
# ~10 min on an idle 2-core machine), or with SPEAKERS=heldout every clip of the held-out
# speakers (12 clips, never trained on by any model), is scored as recorded, Parla's
# render of its frame at 0.5 s on its own audio, and that frame as a still video (the
# clip's audio, up to 4 s) —
# each as it is and with ffmpeg's temporal grain added (`noise=alls=GRAIN:allf=t`, default
# 4: uniform, about ±4 grey levels, barely visible; re-encoded at CRF 18). The summary
# gives each one's mean and how often the grainy copy scores higher; the held-out and the
# training speakers apart too. The heads are PARLA_DATA_DIR's (models/critic/vq.pt).
# Usage: [STEP=6] [SPEAKERS=heldout] [GRAIN=4] bench/vq_grain.sh [PARLA]
set -eu
parla=${1:-build/cli/parla}
grain=${GRAIN:-4}
media=../shared/media/realtalk
. bench/realtalk_common.sh
heldout_speakers "$work/heldout.txt"
both() {  # VIDEO: its VQ, then the VQ of a grainy copy
  ffmpeg -nostdin -v error -y -i "$1" -vf "noise=alls=$grain:allf=t" -c:v libx264 -crf 18 -pix_fmt yuv420p -c:a copy "$work/g.mp4"
  printf '%s\t%s' "$(vq "$parla" "$1" 2 || echo nan)" "$(vq "$parla" "$work/g.mp4" 2 || echo nan)"
}
printf 'clip\tspeaker\treal\treal_grain\trender\trender_grain\tstill\tstill_grain\n' | tee "$work/vq.tsv"
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file speaker; do
  clip="$media/$file"
  frame_audio_still "$clip"
  line="${file%.mp4}	$speaker	$(both "$clip")"
  if render_frame "$parla"; then
    line="$line	$(both "$work/r.mp4")"
  else
    line="$line	nan	nan"
  fi
  printf '%s\t%s\n' "$line" "$(both "$work/still.mp4")" | tee -a "$work/vq.tsv"
done
python3 - "$work/vq.tsv" "$work/heldout.txt" <<'EOF'
import statistics as st, sys
sys.path.insert(0, "bench")
from speaker_groups import groups
for label, part in groups(sys.argv[1], sys.argv[2]):
    cells = []
    for i, name in enumerate(("real video", "render", "still frame")):
        plain, grainy = [r[2 * i] for r in part], [r[2 * i + 1] for r in part]
        cells.append(f"{name} {st.mean(plain):.2f} -> {st.mean(grainy):.2f} with grain "
                     f"(higher on {sum(g > p for p, g in zip(plain, grainy))})")
    print(f"{label}, {len(part)} clips: " + "; ".join(cells))
EOF
