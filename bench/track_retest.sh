#!/bin/sh
# How far the critic's tracked motion moves when nothing a viewer sees changes: for the
# realtalk clips `chosen_clips` picks (STEP=1 for every clip, SPEAKERS=heldout for the
# held-out speakers), the 20-channel track `parla score --track` reads from the real
# video and from a visually lossless re-encode of it (libx264 crf 16). Prints per channel
# the RMS change between the two tracks and each track's frame-to-frame noise (RMS second
# difference), averaged over the clips (docs/critic.md "Steady under a re-encode"; what
# MN's training noise is scaled to). ~4 s per clip (every 3rd clip: 2 minutes).
# Usage: [STEP=N] [SPEAKERS=heldout] bench/track_retest.sh [PARLA]
set -eu
parla=${1:-build/cli/parla}
media=../shared/media/realtalk
. bench/realtalk_common.sh
heldout_speakers "$work/heldout.txt"
n=0
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file _; do
  n=$((n + 1))
  if ! "$parla" score -q -y "$media/$file" --track "$work/a$n.json" >/dev/null </dev/null ||
    ! "$parla" score -q -y "$(reencoded "$media/$file")" --track "$work/b$n.json" >/dev/null </dev/null; then
    echo "$file: not scored" >&2
    rm -f "$work/a$n.json"
  fi
done
python3 - "$work" <<'PY'
import glob, json, math, os, sys
totals, clips = {}, 0
for a in sorted(glob.glob(os.path.join(sys.argv[1], "a*.json"))):
    b = a.replace("/a", "/b")
    if not os.path.exists(b):
        continue
    da, db = json.load(open(a)), json.load(open(b))
    fa, fb = da["frames"], db["frames"]
    n = min(len(fa), len(fb))
    if n < 3:
        continue
    clips += 1
    def noise(f, c):
        return math.sqrt(sum((f[i + 1][c] - 2 * f[i][c] + f[i - 1][c]) ** 2 for i in range(1, n - 1)) / (n - 2))
    for c, name in enumerate(da["channels"]):
        t = totals.setdefault(name, [0.0, 0.0, 0.0])
        t[0] += math.sqrt(sum((fb[i][c] - fa[i][c]) ** 2 for i in range(n)) / n)
        t[1] += noise(fa, c)
        t[2] += noise(fb, c)
print(f"{clips} clips: per channel, RMS change on a crf 16 re-encode; noise (RMS second difference) as it is / re-encoded")
for name, (change, noise_a, noise_b) in totals.items():
    print(f"  {name:15s} {change / clips:.4f}   {noise_a / clips:.4f} / {noise_b / clips:.4f}")
PY
