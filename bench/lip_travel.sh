#!/bin/sh
# How Parla's renders share the mouth's opening between the lips against the real
# speakers (issue #16: real speakers raise the upper lip as they open, showing the upper
# teeth): for the realtalk clips `chosen_clips` picks (STEP=1 for every clip,
# SPEAKERS=heldout for the held-out speakers), the real video and the default render of
# its frame at 0.5 s on its own audio by each PARLA given, read by `rig_gallery liptravel
# VIDEO 2` (every other frame: the lips' distance below the nose over the eyes' distance,
# the least-squares slope of each on the inner-lip gap; minus the upper inner lip's slope
# is the upper lip's share of the opening). Prints each clip, then the medians over the
# clips, real against each render. ~4 min for the default 16 clips and one build.
# Usage: [STEP=N] [SPEAKERS=heldout] bench/lip_travel.sh PARLA [PARLA ...]
#        (RIG_GALLERY=build/tests/video/rig_gallery)
set -eu
gallery=${RIG_GALLERY:-build/tests/video/rig_gallery}
media=../shared/media/realtalk
. bench/realtalk_common.sh
# "GAP_P90 UPPER_INNER UPPER_OUTER LOWER_OUTER"
travel() {
  "$gallery" liptravel "$1" 2 2>/dev/null |
    sed -n 's/.* p90 \([0-9.]*\)  slope on the gap: upper inner \([-+0-9.]*\) upper outer \([-+0-9.]*\) lower outer \([-+0-9.]*\)$/\1 \2 \3 \4/p'
}
heldout_speakers "$work/heldout.txt"
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file _; do
  frame_audio "$media/$file"
  row="${file%.mp4} $(travel "$media/$file")"
  for parla in "$@"; do
    render_frame "$parla" || continue 2
    row="$row $(travel "$work/r.mp4")"
  done
  [ "$(echo "$row" | wc -w)" -eq $((5 + 4 * $#)) ] && echo "$row" | tee -a "$work/t.txt"
done
python3 - "$work/t.txt" "$@" <<'EOF_PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
builds = ["real"] + sys.argv[2:]
print(f"{len(rows)} clips; median over the clips of gap p90 / slope of upper inner, upper outer, lower outer on the gap:")
for b, name in enumerate(builds):
    cols = [st.median(float(r[1 + 4 * b + k]) for r in rows) for k in range(4)]
    print(f"  {name}: gap p90 {cols[0]:.3f}  upper inner {cols[1]:+.3f}  upper outer {cols[2]:+.3f}  lower outer {cols[3]:+.3f}")
EOF_PY
