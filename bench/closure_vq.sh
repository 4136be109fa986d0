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
    copy = json.loads(json.dumps(track))
    for frame in copy["frames"]:
        if chosen(frame[close]):
            frame[close] = 0.0
    json.dump(copy, open(f"{work}/{name}.json", "w"))
frames = track["frames"]
print(f"{len(frames)} frames: {sum(1 for f in frames if 0.3 < f[close] < 0.85)} partial, "
      f"{sum(1 for f in frames if f[close] >= 0.85)} full closures")
EOF
printf '%-18s %13s %13s %13s %13s\n' portrait "track VQ/LS" "partial VQ/LS" "full VQ/LS" "none VQ/LS"
for portrait in "$@"; do
  row=$(basename "$portrait" | cut -c1-18)
  for variant in track partial full none; do
    "$parla" render "$portrait" "$audio" --motion "$work/$variant.json" --duration 8 \
      -o "$work/$variant.mp4" -y -q </dev/null
    "$parla" score "$work/$variant.mp4" --json "$work/$variant.score.json" -y </dev/null >/dev/null 2>&1
    row="$row $(python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["scores"]; print("%.1f/%.1f" % (s["vq"], s["ls"]))' "$work/$variant.score.json")"
  done
  # shellcheck disable=SC2086
  printf '%-18s %13s %13s %13s %13s\n' $row
done
