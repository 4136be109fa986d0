#!/bin/sh
# Real speakers as the judge of a rig change (docs/rig.md "A portrait taken mid-word"):
# each realtalk clip's frame at 0.5 s is rendered with the clip's own audio by two builds
# and scored, with the real clip, by the same critic (`parla score`, from AFTER). By
# default only the clips whose frame shows its own jaw opening (`rig_gallery interior`:
# own jaw > 0, ~3 min); CLIPS=all takes every frame dlib fits (12 min on an idle 2-core
# machine, 35 under load).
# Prints per clip LS / MN / VQ of the real video and both renders, then how the renders'
# dlib-tracked jawOpen follows the real speaker's: the mean over the clip, its 10th and
# 90th percentiles (how far the mouth closes and opens) and the Pearson r with the real
# clip's, frame by frame. The summary splits the clips whose frame shows its upper teeth
# (`teeth edge` > 0) from the rest: rig changes to the mouth often move the two apart.
# SEEDS="2 3" renders each clip once per seed (`parla render --seed`; "default" is the
# seed taken from the audio, the default): the critic's heads move by 10-30 points
# between seeds on some clips (docs/rig.md, 36th session), so a change is better judged
# over several; each (clip, seed) is a row and the means are over all of them.
# Usage: [CLIPS=all] [SEEDS="default 2 3"] bench/own_jaw.sh BEFORE_PARLA AFTER_PARLA [RIG_GALLERY]
set -eu
clips=${CLIPS:-own}
seeds=${SEEDS:-default}
before=$1
after=$2
gallery=${3:-build/tests/video/rig_gallery}
media=../shared/media/realtalk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
score() { "$after" score "$1" --json "$2" -y </dev/null >/dev/null 2>&1; }
tail -n +2 "$media/MANIFEST.tsv" | cut -f1 | while read -r file; do
  ffmpeg -nostdin -v error -y -ss 0.5 -i "$media/$file" -frames:v 1 "$work/p.png"
  # "OWN_JAW TEETH_EDGE", empty where dlib finds no face
  fields=$("$gallery" interior "$work/p.png" 2>/dev/null |
    sed -n 's/.*teeth edge \([0-9.]*\) .*own jaw \([0-9.]*\).*/\2 \1/p')
  own=${fields% *}
  case "$own" in
    "") continue ;;
    0.000) [ "$clips" = all ] || continue ;;
  esac
  name=${file%.mp4}
  ffmpeg -nostdin -v error -y -i "$media/$file" -vn -ac 1 -ar 16000 "$work/a.wav"
  score "$media/$file" "$work/$name.real.json"
  for seed in $seeds; do
    if [ "$seed" = default ]; then seeding=""; else seeding="--seed $seed"; fi
    # shellcheck disable=SC2086
    "$before" render "$work/p.png" "$work/a.wav" -o "$work/before.mp4" -y -q $seeding </dev/null
    # shellcheck disable=SC2086
    "$after" render "$work/p.png" "$work/a.wav" -o "$work/after.mp4" -y -q $seeding </dev/null
    score "$work/before.mp4" "$work/$name.$seed.before.json"
    score "$work/after.mp4" "$work/$name.$seed.after.json"
    echo "$name $seed $fields" >>"$work/clips"
  done
done
python3 - "$work" <<'EOF'
import json, math, sys
work = sys.argv[1]

def load(path):
    s = json.load(open(path))
    m = s["motion"]
    return s["scores"], [(i / m["fps"], v) for i, v in enumerate(m["jaw_open"])]

def at(series, t):  # linear interpolation; None inside a gap in the tracking
    for (t0, v0), (t1, v1) in zip(series, series[1:]):
        if t0 <= t <= t1:
            if v0 is None or v1 is None:
                return None
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0) if t1 > t0 else v0
    return None

def pearson(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    sa = math.sqrt(sum((x - ma) ** 2 for x in a))
    sb = math.sqrt(sum((y - mb) ** 2 for y in b))
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / (sa * sb) if sa > 0 and sb > 0 else float("nan")

def pct(values, q):
    v = sorted(values)
    return v[int(q * (len(v) - 1))]

mean = lambda v: sum(v) / len(v)
totals = {"before": [], "after": []}  # per clip: (row, signed level offsets, frame shows teeth)
print("| clip | seed | own jaw | LS / MN / VQ real | before | after | jaw mean real / before / after | p10 | p90 | r before / after |")
print("|---|---|---|---|---|---|---|---|---|---|")
for line in open(f"{work}/clips"):
    name, seed, own, teeth = line.split()
    real_scores, real = load(f"{work}/{name}.real.json")
    real_jaw = [y for _, y in real if y is not None]
    row = {}
    for build in ("before", "after"):
        scores, track = load(f"{work}/{name}.{seed}.{build}.json")
        pairs = [(x, at(real, t)) for t, x in track]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
        mine = [x for x, _ in pairs]
        row[build] = (scores, mean(mine), pct(mine, 0.1), pct(mine, 0.9), pearson(mine, [y for _, y in pairs]))
        # How far (signed: render - real) the clip's mean and 10th percentile lie from the
        # real speaker's.
        off = (row[build][1] - mean(real_jaw), row[build][2] - pct(real_jaw, 0.1))
        totals[build].append((row[build], off, float(teeth) > 0))
    fmt = lambda s: "%.1f / %.1f / %.1f" % (s["ls"], s["mn"], s["vq"])
    print(f"| {name[:48]} | {seed} | {float(own):.3f} | {fmt(real_scores)} | {fmt(row['before'][0])} | {fmt(row['after'][0])} | "
          f"{mean(real_jaw):.3f} / {row['before'][1]:.3f} / {row['after'][1]:.3f} | "
          f"{pct(real_jaw, 0.1):.3f} / {row['before'][2]:.3f} / {row['after'][2]:.3f} | "
          f"{pct(real_jaw, 0.9):.3f} / {row['before'][3]:.3f} / {row['after'][3]:.3f} | "
          f"{row['before'][4]:.3f} / {row['after'][4]:.3f} |")
def summary(label, keep):
    for build, clips in totals.items():
        rows = [(r, o) for r, o, teeth in clips if keep(teeth)]
        if not rows:
            continue
        avg = lambda f: mean([f(r, o) for r, o in rows])
        print(f"{label} {build}: mean LS {avg(lambda r, o: r[0]['ls']):.1f}, MN {avg(lambda r, o: r[0]['mn']):.1f}, "
              f"VQ {avg(lambda r, o: r[0]['vq']):.1f}, jaw r {avg(lambda r, o: r[4]):.3f}, "
              f"jaw mean - real's {avg(lambda r, o: o[0]):+.3f} (|.| {avg(lambda r, o: abs(o[0])):.3f}), "
              f"p10 - real's {avg(lambda r, o: o[1]):+.3f} (|.| {avg(lambda r, o: abs(o[1])):.3f}) "
              f"over {len(rows)} renders")

summary("all", lambda teeth: True)
if 0 < sum(t for _, _, t in totals["after"]) < len(totals["after"]):
    summary("teeth shown", lambda teeth: teeth)
    summary("no teeth", lambda teeth: not teeth)
if totals["before"]:
    closer = [sum(abs(a[1][k]) > abs(b[1][k]) for a, b in zip(totals["before"], totals["after"])) for k in (0, 1)]
    print(f"after nearer the real speaker: jaw mean on {closer[0]}, p10 on {closer[1]} of {len(totals['after'])} renders")
EOF
