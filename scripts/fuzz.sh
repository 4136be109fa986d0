#!/usr/bin/env bash
# Coverage-guided fuzzing of Parla's parsers (fuzz/, docs/limits.md "Fuzzing").
#
#   scripts/fuzz.sh [SECONDS]     # every harness for SECONDS each (default 60)
#
# Configures and builds the libFuzzer harnesses in build-fuzz (clang, ASan + UBSan,
# -DPARLA_FUZZ=ON) when needed, then runs each one on a scratch copy of its seed corpus
# (fuzz/corpus/<harness>/; the checked-in seeds are never modified) with its dictionary
# (fuzz/dict/), and prints executions and exec/s per harness. Exits non-zero when any
# harness finds a crash, a leak, a timeout or an out-of-memory; the input that did it
# is kept in build-fuzz/artifacts/ with the command that replays it.
#
# Environment:
#   PARLA_FUZZ_HARNESSES="motion_json weights"  run only these (default: all)
#   PARLA_FUZZ_RUNS=N          stop each harness after N executions (and after SECONDS
#                              too when SECONDS is given: whichever comes first)
#   PARLA_FUZZ_BUILD=DIR       build directory (default build-fuzz)
#   PARLA_FUZZ_KEEP_CORPUS=DIR keep each grown working corpus in DIR/<harness>
#   PARLA_FUZZ_NICE=N          run the harnesses under nice -n N (default 10)
#   PARLA_FUZZ_TIMEOUT=S       an input running longer is a finding (default 25; raise it
#                              for campaigns on a loaded machine at a high nice level)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
seconds_given=${1:-}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS]   (SECONDS per harness, a positive integer)" >&2
  exit 2
fi
build=${PARLA_FUZZ_BUILD:-build-fuzz}
all="motion_json live_link_csv landmarks_json weights audio image critic_video"
harnesses=${PARLA_FUZZ_HARNESSES:-$all}
niceness=${PARLA_FUZZ_NICE:-10}

# Per harness: the longest input (bytes) and the dictionary, if any.
max_len() {
  case $1 in
    motion_json|live_link_csv) echo 16384 ;;
    landmarks_json) echo 4096 ;;
    *) echo 65536 ;;
  esac
}
dict() {
  case $1 in
    motion_json|landmarks_json) echo fuzz/dict/json.dict ;;
    live_link_csv) echo fuzz/dict/csv.dict ;;
    weights) echo fuzz/dict/weights.dict ;;
    *) echo "" ;;
  esac
}

for tool in clang clang++; do
  if ! command -v $tool >/dev/null; then
    echo "scripts/fuzz.sh: $tool not found (apt-get install clang libfuzzer-14-dev)" >&2
    exit 2
  fi
done

start_build=$(date +%s)
if ! grep -qs '^PARLA_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLA_FUZZ=ON \
    -DPARLA_BUILD_TESTS=OFF -DPARLA_BUILD_BENCH=OFF -DPARLA_BUILD_PLAYER=OFF >/dev/null
fi
cmake --build "$build" --target fuzzers -j"$(nproc)" >"$build/fuzz-build.log" 2>&1 || {
  tail -40 "$build/fuzz-build.log" >&2
  echo "scripts/fuzz.sh: building the harnesses failed (log: $build/fuzz-build.log)" >&2
  exit 1
}
echo "fuzz harnesses built in $(( $(date +%s) - start_build )) s ($build)"

work=$(mktemp -d "${TMPDIR:-/tmp}/parla-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build/artifacts"
mkdir -p "$artifacts"
# Leaks are findings; UBSan stops at the first report (-fno-sanitize-recover) with a stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:handle_abort=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-16s %12s %9s %7s %8s  %s\n' harness executions exec/s seconds corpus result
for h in $harnesses; do
  exe="$build/fuzz/fuzz_$h"
  if [ ! -x "$exe" ]; then
    echo "scripts/fuzz.sh: no harness '$h' ($exe; known: $all)" >&2
    exit 2
  fi
  corpus="$work/$h"
  mkdir -p "$corpus"
  cp fuzz/corpus/"$h"/* "$corpus"/
  args=(-max_len="$(max_len "$h")" -timeout="${PARLA_FUZZ_TIMEOUT:-25}" -rss_limit_mb=2560 -malloc_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$artifacts/$h-" -close_fd_mask=1)
  # PARLA_FUZZ_RUNS alone: stop after that many executions; with SECONDS given as well,
  # at whichever comes first (a campaign of "1 M executions or an hour").
  if [ -n "${PARLA_FUZZ_RUNS:-}" ]; then args+=(-runs="$PARLA_FUZZ_RUNS"); fi
  if [ -z "${PARLA_FUZZ_RUNS:-}" ] || [ -n "$seconds_given" ]; then args+=(-max_total_time="$seconds"); fi
  d=$(dict "$h")
  if [ -n "$d" ]; then args+=(-dict="$d"); fi
  log="$work/$h.log"
  t0=$(date +%s)
  rc=0
  nice -n "$niceness" "$exe" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  elapsed=$(( $(date +%s) - t0 ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(find "$corpus" -type f | wc -l)
  result=ok
  if [ "$rc" -ne 0 ]; then
    result="FAILED (exit $rc)"
    failed+=("$h")
  fi
  printf '%-16s %12s %9s %7s %8s  %s\n' "$h" "${execs:-?}" "${rate:-?}" "$elapsed" "$units" "$result"
  if [ "$rc" -ne 0 ]; then
    cp "$log" "$artifacts/$h.log"
    grep -E 'ERROR: |runtime error|FUZZ ORACLE|SUMMARY|Test unit written|ALARM|out-of-memory' "$log" | head -12 | sed 's/^/    /'
    unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "    log: $artifacts/$h.log"
    if [ -n "$unit" ]; then echo "    replay: $exe $unit"; fi
  fi
  if [ -n "${PARLA_FUZZ_KEEP_CORPUS:-}" ]; then
    mkdir -p "$PARLA_FUZZ_KEEP_CORPUS/$h"
    cp -n "$corpus"/* "$PARLA_FUZZ_KEEP_CORPUS/$h"/ 2>/dev/null || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "scripts/fuzz.sh: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "scripts/fuzz.sh: every harness ran clean"
