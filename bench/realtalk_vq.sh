#!/bin/sh
# VQ of Parla's renders of real talking faces against the real videos they were made from
# (issue #16: "within 10 points of the real video frames"), over every realtalk clip: its
# frame at 0.5 s is the portrait and its own audio the speech; the real clip and the
# default render are scored by the same critic (`parla score`, VQ 0-100). The held-out
# speakers (train/real_clips.cpp; no model, the critic's VQ head included, trained on
# them) are summarised apart from the training speakers, whose real frames VQ saw as
# clean examples. VQ is a frame head, so each render is also held against the one real
# frame it was made from: that frame as a still video (4 s, the clip's audio), scored
# the same way; a render cannot look better than its source frame (a blink, a blurred
# mid-word frame), and the renderer is judged on what it adds.
# Usage: bench/realtalk_vq.sh [PARLA [OUT.tsv]]   (default: build/cli/parla, no table kept)
set -eu
parla=${1:-build/cli/parla}
media=../shared/media/realtalk
. bench/realtalk_common.sh
out=${2:-$work/vq.tsv}
printf 'clip\tspeaker\treal_vq\trender_vq\tframe_vq\n' >"$out"
tail -n +2 "$media/MANIFEST.tsv" | cut -f1,6 | while IFS="$(printf '\t')" read -r file speaker; do
  clip="$media/$file"
  frame_audio_still "$clip"
  real=$(vq "$parla" "$clip" || echo nan)
  frame=$(vq "$parla" "$work/still.mp4" || echo nan)
  if render_frame "$parla"; then
    render=$(vq "$parla" "$work/r.mp4" || echo nan)
  else
    render=nan
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$file" "$speaker" "$real" "$render" "$frame" | tee -a "$out"
done
# The held-out speakers as train/real_clips.cpp lists them.
heldout_speakers "$work/heldout.txt"
python3 - "$out" "$work/heldout.txt" <<'EOF'
import math, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
held = {l.strip() for l in open(sys.argv[2]) if l.strip()}
for name, keep in (("held-out speakers", lambda s: s in held), ("training speakers", lambda s: s not in held)):
    pairs = [(float(r[2]), float(r[3])) for r in rows if keep(r[1]) and r[2] != "nan" and r[3] != "nan"]
    failed = sum(1 for r in rows if keep(r[1]) and (r[2] == "nan" or r[3] == "nan"))
    if not pairs:
        continue
    gaps = [real - render for real, render in pairs]
    within = sum(1 for g in gaps if g <= 10)
    print(f"{name}: {len(pairs)} clips ({failed} not scored): real VQ mean {statistics.mean(p[0] for p in pairs):.1f}, "
          f"render mean {statistics.mean(p[1] for p in pairs):.1f}; real - render median {statistics.median(gaps):.1f}, "
          f"max {max(gaps):.1f}; render within 10 of real (or above) on {within} of {len(pairs)}")
    framed = [(float(r[4]), float(r[3])) for r in rows if keep(r[1]) and r[3] != "nan" and r[4] != "nan"]
    if framed:
        fgaps = [f - render for f, render in framed]
        print(f"  against the frame each render was made from: frame VQ mean {statistics.mean(f for f, _ in framed):.1f}; "
              f"frame - render median {statistics.median(fgaps):.1f}, max {max(fgaps):.1f}; "
              f"render within 10 of its frame (or above) on {sum(1 for g in fgaps if g <= 10)} of {len(framed)}")
EOF
