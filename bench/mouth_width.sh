#!/bin/sh
# How far Parla's renders narrow and widen the mouth against the real speakers (issue #16:
# rounded lips; mouthFunnel and mouthPucker narrow it, mouthStretch and mouthSmile widen
# it): for the realtalk clips `chosen_clips` picks (STEP=1 for every clip, SPEAKERS=heldout
# for the held-out speakers), the real video and the default render of its frame at 0.5 s
# on its own audio, read by `rig_gallery mouthwidth VIDEO 2` (dlib's mouth width 48-54
# over the eyes' outer corners 36-45 on every other frame: its 10th, 50th and 90th
# percentile and p10 / median). Prints each clip, then the medians over the clips, real
# against render, and on how many clips the render's figure lies below the real one.
# ~3 min for the default 16 clips, ~15 min for every clip, on an idle 2-core machine.
# Usage: [STEP=N] [SPEAKERS=heldout] bench/mouth_width.sh [PARLA]
#        (RIG_GALLERY=build/tests/video/rig_gallery)
set -eu
parla=${1:-build/cli/parla}
gallery=${RIG_GALLERY:-build/tests/video/rig_gallery}
media=../shared/media/realtalk
. bench/realtalk_common.sh
width() { "$gallery" mouthwidth "$1" 2 2>/dev/null | sed -n 's/.* p10 \([0-9.]*\) median \([0-9.]*\) p90 \([0-9.]*\)  p10\/median \([0-9.]*\)$/\1\t\2\t\3\t\4/p'; }
heldout_speakers "$work/heldout.txt"
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file _; do
  frame_audio "$media/$file"
  real=$(width "$media/$file")
  render_frame "$parla" || continue
  render=$(width "$work/r.mp4")
  [ -n "$real" ] && [ -n "$render" ] && printf '%s\t%s\t%s\n' "${file%.mp4}" "$real" "$render" | tee -a "$work/w.tsv"
done
python3 - "$work/w.tsv" <<'EOF'
import statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print(f"{len(rows)} clips; width / eye corners, median over the clips (real -> render; render below real on):")
for k, name in enumerate(["p10", "median", "p90", "p10 / median"]):
    real = [float(r[1 + k]) for r in rows]
    render = [float(r[5 + k]) for r in rows]
    below = sum(1 for a, b in zip(real, render) if b < a)
    print(f"  {name}: {st.median(real):.4f} -> {st.median(render):.4f} ({below} of {len(rows)})")
EOF
