#!/bin/sh
# How far the critic's scores move when nothing a viewer sees changes (a test-retest
# floor for comparing two renderers by `parla score`): for the realtalk clips
# `chosen_clips` picks (STEP=1 for every clip, SPEAKERS=heldout for the held-out
# speakers), the real video and Parla's render of its frame at 0.5 s on its own audio,
# each scored as it is and again after a visually lossless re-encode (libx264 crf 16,
# the audio copied). Prints each video's LS / MN / VQ both ways, then per head the mean
# and the standard deviation of the change and its largest size. A renderer change whose
# per-clip differences are within this spread is not told apart by the critic clip by
# clip; only a mean over many clips is (its standard error: the deviation / sqrt(clips)).
# ~7 s per clip on an idle 2-core machine (every 3rd clip: 4 min).
# Usage: [STEP=N] [SPEAKERS=heldout] bench/critic_retest.sh [PARLA]
set -eu
parla=${1:-build/cli/parla}
media=../shared/media/realtalk
. bench/realtalk_common.sh
heldout_speakers "$work/heldout.txt"
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file _; do
  frame_audio "$media/$file"
  render_frame "$parla" || continue
  for kind in real render; do
    video="$media/$file"
    [ "$kind" = render ] && video="$work/r.mp4"
    row="$kind ${file%.mp4} $(scores "$parla" "$video" 2 ls mn vq) $(scores "$parla" "$(reencoded "$video")" 2 ls mn vq)"
    [ "$(echo "$row" | wc -w)" -eq 8 ] && echo "$row" | tee -a "$work/t.txt"
  done
done
python3 - "$work/t.txt" <<'EOF'
import statistics as st, sys
rows = [line.split() for line in open(sys.argv[1])]
for kind in ("real", "render"):
    chosen = [r for r in rows if r[0] == kind]
    if len(chosen) < 2:
        continue
    print(f"{kind} videos, {len(chosen)} clips: the change on a crf 16 re-encode")
    for k, head in enumerate(("LS", "MN", "VQ")):
        d = [float(r[5 + k]) - float(r[2 + k]) for r in chosen]
        print(f"  {head}: mean {st.mean(d):+.2f}, standard deviation {st.stdev(d):.2f}, largest {max(map(abs, d)):.2f}")
EOF
