#!/bin/sh
# Two renderers side by side on real talking faces, by the critic's VQ (issue #16): for
# the realtalk clips `chosen_clips` picks (STEP=1 for every clip, SPEAKERS=heldout for the
# held-out speakers), the clip's frame at 0.5 s rendered on its own audio by BEFORE and by
# AFTER (`parla` binaries; an environment variable set for the command reaches both), each
# render and the real video scored by SCORER (`parla score`; default build/cli/parla,
# which needs parla-torch beside it). Prints each clip, then per speaker group the mean VQ
# before and after, the mean change and its standard error, on how many clips it rose or
# fell by more than 0.5 (a re-encode moves VQ by 0.4-0.5 SD: docs/critic.md), the sign
# test's two-sided p over those, and how many renders are within 10 of their real video.
# ~6 s per clip on an idle 2-core machine (every clip: ~10 min).
# Usage: [STEP=N] [SPEAKERS=heldout] bench/realtalk_ab.sh BEFORE AFTER [SCORER]
set -eu
before=$1
after=$2
scorer=${3:-build/cli/parla}
media=../shared/media/realtalk
. bench/realtalk_common.sh
render_vq() {
  if render_frame "$1"; then
    vq "$scorer" "$work/r.mp4" 2 || echo nan
  else
    echo nan
  fi
}
heldout_speakers "$work/heldout.txt"
chosen_clips "$work/heldout.txt" | while IFS="$(printf '\t')" read -r file speaker; do
  frame_audio "$media/$file"
  row="$(vq "$scorer" "$media/$file" 2 || echo nan)	$(render_vq "$before")	$(render_vq "$after")"
  printf '%s\t%s\t%s\n' "${file%.mp4}" "$speaker" "$row" | tee -a "$work/ab.tsv"
done
python3 - "$work/ab.tsv" "$work/heldout.txt" <<'EOF'
import math, statistics as st, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
held = {line.strip() for line in open(sys.argv[2]) if line.strip()}
for group, keep in (("held-out speakers", lambda s: s in held), ("training speakers", lambda s: s not in held)):
    chosen = [tuple(map(float, r[2:5])) for r in rows if keep(r[1]) and "nan" not in r[2:5]]
    if not chosen:
        continue
    diffs = [a - b for _, b, a in chosen]
    up, down = sum(d > 0.5 for d in diffs), sum(d < -0.5 for d in diffs)
    n, k = up + down, min(up, down)
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n) if n else 1.0
    se = st.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else float("nan")
    within = lambda i: sum(1 for c in chosen if c[0] - c[i] <= 10)
    print(f"{group}: {len(chosen)} clips; VQ before {st.mean(c[1] for c in chosen):.2f}, after "
          f"{st.mean(c[2] for c in chosen):.2f}; change {st.mean(diffs):+.2f} (standard error {se:.2f}); "
          f"up {up}, down {down} (by over 0.5; sign test p {p:.3f}); within 10 of the real video "
          f"{within(1)} -> {within(2)} of {len(chosen)}")
EOF
