#!/bin/sh
# `parla batch` against the same jobs as separate `parla render` calls, in one run:
# 20 short jobs (3-4 s parts of real speech at the default size, the bundled sample and
# the shared portraits), rendered (a) one `parla render` process after another and
# (b) by one `parla batch --jobs K` process. Prints each run's wall time, the medians and
# their ratio, and checks that both ways wrote byte-identical videos. Figures:
# docs/batch.md "Speed".
#
#   bench/bench_batch.sh [build/cli/parla] [RUNS (3)] [K (2)]
#
# The portrait fit cache is warmed first and shared by both (a fresh XDG_CACHE_HOME), so
# the separate renders do not pay dlib's detection either: the gain measured is the
# process start-up (libraries, model weights) and running K jobs at once.
set -eu
PARLA=$(realpath "${1:-build/cli/parla}")
RUNS=${2:-3}
K=${3:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MEDIA=${PARLA_SHARED_MEDIA_DIR:-$ROOT/../shared/media}
WORK=$(mktemp -d /tmp/parla-bench-batch.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export XDG_CACHE_HOME="$WORK/cache"

portraits="$ROOT/data/sample/portrait.png"
speech="$ROOT/data/sample/speech.flac"
if [ -d "$MEDIA/portraits" ]; then
  portraits="$portraits $MEDIA/portraits/mona_lisa.jpg $MEDIA/portraits/obama.jpg $MEDIA/portraits/illustration.png"
  speech="$speech $MEDIA/speech/jfk_en_male.wav $MEDIA/speech/librivox_en_male.wav $MEDIA/speech/french_female.wav"
fi
set -- $portraits
np=$#
set -- $speech
ns=$#

# 20 jobs: portrait i % np, audio i % ns, start (i % 4) s, 3 or 4 s long.
printf 'portrait\taudio\toutput\toptions\n' >"$WORK/jobs.tsv"
: >"$WORK/commands"
i=0
while [ $i -lt 20 ]; do
  p=$(echo $portraits | cut -d' ' -f$((i % np + 1)))
  a=$(echo $speech | cut -d' ' -f$((i % ns + 1)))
  opts="--start $((i % 4)) --duration $((3 + i % 2))"
  printf '%s\t%s\tjob%02d.mp4\t%s\n' "$p" "$a" $i "$opts" >>"$WORK/jobs.tsv"
  printf '%s\t%s\tjob%02d.mp4\t%s\n' "$p" "$a" $i "$opts" >>"$WORK/commands"
  i=$((i + 1))
done
echo "$(grep -c . "$WORK/commands") jobs, $np portraits, $ns speech files; runs: $RUNS; batch workers: $K; $(nproc) CPUs"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# Warm the fit cache (one untimed render per portrait).
for p in $portraits; do
  "$PARLA" render "$p" "$ROOT/data/sample/speech.flac" --duration 0.2 -q -y -o "$WORK/warm.mp4"
done

now() { date +%s.%N; }
# CPU seconds (user + system) of this shell's finished children so far.
TICKS=$(getconf CLK_TCK)
cpu() { awk -v t="$TICKS" '{print ($16 + $17) / t}' /proc/$$/stat; }
sequential() {  # OUT_DIR
  mkdir -p "$1"
  tab=$(printf '\t')
  while IFS="$tab" read -r p a o opts; do
    # shellcheck disable=SC2086 # the options are words
    "$PARLA" render "$p" "$a" -o "$1/$o" $opts -q -y </dev/null
  done <"$WORK/commands"
}

seq_times=""
batch_times=""
r=1
while [ $r -le "$RUNS" ]; do
  rm -rf "$WORK/seq" "$WORK/batch"
  c0=$(cpu)
  t0=$(now)
  sequential "$WORK/seq"
  t1=$(now)
  c1=$(cpu)
  "$PARLA" batch "$WORK/jobs.tsv" --out "$WORK/batch" --jobs "$K" -q
  t2=$(now)
  c2=$(cpu)
  s=$(awk "BEGIN {print $t1 - $t0}")
  b=$(awk "BEGIN {print $t2 - $t1}")
  printf 'run %d: 20 x parla render %6.2f s (CPU %5.2f s)   parla batch --jobs %d %6.2f s (CPU %5.2f s)   ratio %.2f\n' \
    "$r" "$s" "$(awk "BEGIN {print $c1 - $c0}")" "$K" "$b" "$(awk "BEGIN {print $c2 - $c1}")" \
    "$(awk "BEGIN {print $s / $b}")"
  seq_times="$seq_times $s"
  batch_times="$batch_times $b"
  r=$((r + 1))
done

median() { echo "$@" | tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ms=$(median $seq_times)
mb=$(median $batch_times)
same=0
for f in "$WORK"/seq/*.mp4; do
  cmp -s "$f" "$WORK/batch/$(basename "$f")" && same=$((same + 1))
done
printf 'median: 20 x parla render %.2f s, parla batch --jobs %d %.2f s: batch is %.2fx faster\n' \
  "$ms" "$K" "$mb" "$(awk "BEGIN {print $ms / $mb}")"
echo "byte-identical outputs: $same/20"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
