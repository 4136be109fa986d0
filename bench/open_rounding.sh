#!/bin/sh
# How much the motion generator rounds the lips on real voices (issue #16: the painted
# teeth fade as the lips round, video::teeth_in_view, so rounding on ordinary open vowels
# darkens them; docs/rig.md "A fade that waits for strong rounding"): `parla motion` on
# the audio of the realtalk clips `chosen_clips` picks (STEP=1 for every clip,
# SPEAKERS=heldout for the held-out speakers), by each PARLA given; over all their frames,
# the rounding r = 2 mouthFunnel + mouthPucker by jawOpen (its 25th / 50th / 75th / 90th
# percentile), and on the open frames (jawOpen over 0.25) the share whose painted rows are
# more than half hidden (r over 0.5). Seconds per clip on an idle 2-core machine.
# Usage: [STEP=N] [SPEAKERS=heldout] bench/open_rounding.sh PARLA [PARLA ...]
set -eu
media=../shared/media/realtalk
. bench/realtalk_common.sh
heldout_speakers "$work/heldout.txt"
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file _; do
  clip_audio "$media/$file"
  i=0
  for parla in "$@"; do
    mkdir -p "$work/$i"
    "$parla" motion "$work/a.wav" -o "$work/$i/${file%.mp4}.json" -y -q </dev/null
    i=$((i + 1))
  done
done
python3 - "$work" "$@" <<'EOF'
import glob, json, sys
work, builds = sys.argv[1], sys.argv[2:]
def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q / 100 * len(values)))] if values else float("nan")
bins = ((0, 0.1), (0.1, 0.25), (0.25, 0.4), (0.4, 9))
for i, build in enumerate(builds):
    frames, tracks = [], sorted(glob.glob(f"{work}/{i}/*.json"))
    for path in tracks:
        track = json.load(open(path))
        at = {name: k for k, name in enumerate(track["channels"])}
        for f in track["frames"]:
            frames.append((f[at["jawOpen"]], 2 * f[at["mouthFunnel"]] + f[at["mouthPucker"]]))
    print(f"{build}: {len(tracks)} clips, {len(frames)} frames")
    for lo, hi in bins:
        r = [r for jaw, r in frames if lo <= jaw < hi]
        label = f"jawOpen {lo}-{hi}" if hi < 9 else f"jawOpen {lo}+"
        print(f"  {label:16s} {len(r):5d} frames  r p25 / p50 / p75 / p90 " +
              " / ".join(f"{percentile(r, q):.2f}" for q in (25, 50, 75, 90)))
    open_r = [r for jaw, r in frames if jaw > 0.25]
    if open_r:
        print(f"  open frames (jawOpen > 0.25) with r > 0.5: {100 * sum(r > 0.5 for r in open_r) / len(open_r):.0f} %")
EOF
