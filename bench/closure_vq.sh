#!/bin/sh
# What the rig's lip closures cost in the critic's eyes (docs/rig.md "Partial closures
# cost the most"): one generated track (AUDIO's first 8 s), rendered on each portrait as
# it is and with mouthClose set to 0 on some of its frames, every render scored by the
# same critic. Prints VQ and LS of each, per portrait:
#   track    the track as generated
#   partial  mouthClose 0 where it is partial (0.3 .. 0.85: lips narrowing over an open jaw)
#   full     mouthClose 0 where the lips shut (>= 0.85)
#   none     mouthClose 0 on every frame
# Usage: bench/closure_vq.sh [PARLA [AUDIO [PORTRAIT...]]]
#        (default: build/cli/parla, the JFK recording, the sample and the shared portraits)
set -eu
parla=${1:-build/cli/parla}
audio=${2:-../shared/media/speech/jfk_en_male.wav}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi
[ $# -gt 0 ] || set -- data/sample/portrait.png ../shared/media/portraits/*.*
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$parla" motion "$audio" --duration 8 -o "$work/track.json" -y -q </dev/null
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
track = json.load(open(f"{work}/track.json"))
close = track["channels"].index("mouthClose")
variants = {"partial": lambda c: 0.3 < c < 0.85, "full": lambda c: c >= 0.85, "none": lambda c: True}
for name, chosen in variants.items():
    frames = [[0.0 if k == close and chosen(v) else v for k, v in enumerate(f)] for f in track["frames"]]
    json.dump({**track, "frames": frames}, open(f"{work}/{name}.json", "w"))
counts = {name: sum(1 for f in track["frames"] if variants[name](f[close])) for name in ("partial", "full")}
print(f"{len(track['frames'])} frames: {counts['partial']} partial, {counts['full']} full closures")
EOF
i=0
for portrait in "$@"; do
  basename "$portrait" | cut -c1-18 >"$work/$i.name"
  for variant in track partial full none; do
    "$parla" render "$portrait" "$audio" --motion "$work/$variant.json" --duration 8 \
      -o "$work/$variant.mp4" -y -q </dev/null
    "$parla" score "$work/$variant.mp4" --json "$work/$i.$variant.score.json" -y </dev/null >/dev/null 2>&1
  done
  i=$((i + 1))
done
python3 - "$work" "$i" <<'EOF'
import json, sys
work, count = sys.argv[1], int(sys.argv[2])
variants = ("track", "partial", "full", "none")
print("%-18s" % "portrait" + "".join(" %13s" % f"{v} VQ/LS" for v in variants))
for i in range(count):
    cells = []
    for v in variants:
        s = json.load(open(f"{work}/{i}.{v}.score.json"))["scores"]
        cells.append("%.1f/%.1f" % (s["vq"], s["ls"]))
    print("%-18s" % open(f"{work}/{i}.name").read().strip() + "".join(" %13s" % c for c in cells))
EOF
