#!/bin/sh
# How Parla's open mouths are lit against the real speakers' (issue #16: an interior and
# teeth whose colour and brightness come from the face): for every realtalk clip, the
# real video and the render of its frame at 0.5 s on its own audio by each build, read by
# `rig_gallery mouthlight VIDEO 2` (every other frame whose inner lips are at least 0.15
# of the mouth's width apart: the opening's luma over the cheeks' at its 90th / 50th /
# 10th percentile, the brightest tenth's warmth (R - B) / (R + G + B), and the same for
# the opening's upper and lower thirds). Prints the medians over the clips read in all
# (at least 3 open frames each), training and held-out speakers apart
# (train/real_clips.cpp), and each build's median difference from the real speakers.
# ~6 min per build on an idle 2-core machine.
# Usage: bench/mouth_light.sh PARLA [PARLA...]   (RIG_GALLERY=build/tests/video/rig_gallery)
set -eu
gallery=${RIG_GALLERY:-build/tests/video/rig_gallery}
media=../shared/media/realtalk
. bench/realtalk_common.sh
light() { "$gallery" mouthlight "$1" 2 2>/dev/null || true; }
tail -n +2 "$media/MANIFEST.tsv" | cut -f1,6 | while IFS="$(printf '\t')" read -r file speaker; do
  name=${file%.mp4}
  printf '%s\t%s\t%s\n' "$name" "$speaker" "$(light "$media/$file")" >>"$work/real.tsv"
  frame_audio "$media/$file"
  i=0
  for parla in "$@"; do
    if render_frame "$parla"; then
      printf '%s\t%s\t%s\n' "$name" "$speaker" "$(light "$work/r.mp4")" >>"$work/build$i.tsv"
    fi
    i=$((i + 1))
  done
done
heldout_speakers "$work/heldout.txt"
python3 - "$work" "$#" "$@" <<'EOF'
import re, statistics as st, sys
work, n, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
held = {l.strip() for l in open(f"{work}/heldout.txt") if l.strip()}
keys = ["p90", "p50", "p10", "warm", "up90", "up50", "upwarm", "lo90", "lo50", "lowarm"]
def load(path):
    rows = {}
    for line in open(path):
        name, speaker, text = line.rstrip("\n").split("\t", 2)
        frames = re.search(r"open frames (\d+)", text)
        values = re.findall(r"(?:p90|p50|p10|tenth|warmth) (-?[0-9.]+)", text)
        if frames and int(frames.group(1)) >= 3 and len(values) == 10:
            rows[name] = (speaker, dict(zip(keys, map(float, values))))
    return rows
real = load(f"{work}/real.tsv")
builds = [load(f"{work}/build{i}.tsv") for i in range(n)]
common = set(real).intersection(*builds)
for group, keep in (("training speakers", lambda s: s not in held), ("held-out speakers", lambda s: s in held)):
    clips = sorted(c for c in common if keep(real[c][0]))
    if not clips:
        continue
    print(f"{group}: {len(clips)} clips (medians; 'up' / 'lo' the opening's upper / lower third)")
    print(f"{'':24}" + "".join(f"{k:>8}" for k in keys))
    print(f"{'real':24}" + "".join(f"{st.median(real[c][1][k] for c in clips):8.3f}" for k in keys))
    for name, rows in zip(names, builds):
        print(f"{name[-24:]:24}" + "".join(f"{st.median(rows[c][1][k] for c in clips):8.3f}" for k in keys))
        print(f"{'  minus real':24}" + "".join(f"{st.median(rows[c][1][k] - real[c][1][k] for c in clips):8.3f}" for k in keys))
EOF
