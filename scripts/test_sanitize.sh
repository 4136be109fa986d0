#!/usr/bin/env bash
# The sanitizer job (issue #15): the fast ("unit") tests built with ASan + UBSan in their
# own build directory, any sanitizer report failing the test (UB is fatal, leaks too).
#
#   scripts/test_sanitize.sh [BUILD_DIR=build-asan]
#
# Test executables that link LibTorch are left out (test_experts, test_critic,
# test_train; parla-torch): LibTorch itself runs under ASan, but every file that
# includes <torch/torch.h> costs about a minute to compile, and their code is the training
# side, not the parsers and the render path that take outside input. docs/limits.md
# "Sanitizers" has the list, the time this takes and what it found.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
jobs=$(nproc)
# PARLA_BUILD_LOCK=FILE: take this flock(1) lock around each build step (a shared machine).
lock=()
if [ -n "${PARLA_BUILD_LOCK:-}" ]; then lock=(flock "$PARLA_BUILD_LOCK"); fi
start=$(date +%s)

# -O1: a third of -O2's compile time and still fast tests; -g1: line numbers in reports.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DPARLA_SANITIZE=address,undefined -DPARLA_BUILD_BENCH=OFF >/dev/null
# Test executables, and the binary the command-line tests run (`parla` only: its order
# dependency on parla-torch is skipped with make's /fast targets; the two cli tests that
# run parla-torch, BadInput.EverySubcommandHasHelp and BadInput.EvalWithoutTheSharedMedia...,
# are excluded below).
modules=(core audio video text fusion player cli)
"${lock[@]}" cmake --build "$build" -j"$jobs" --target parla_cli parla_testing \
  $(for m in core audio video text fusion player; do echo "test_$m"; done)
"${lock[@]}" make -C "$build/cli" -j"$jobs" parla/fast >/dev/null
"${lock[@]}" make -C "$build/tests/cli" -j"$jobs" test_cli/fast >/dev/null
built=$(date +%s)

# Leaks, UB and memory errors fail the test; reports go to stderr (ctest shows them).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
runner=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
  runner=(xvfb-run -a -s "-screen 0 1280x1024x24")
fi
status=0
for m in "${modules[@]}"; do
  exclude=()
  if [ "$m" = cli ]; then exclude=(-E 'BadInput.(EverySubcommandHasHelp|EvalWithoutTheSharedMediaSaysWhereItLooked)'); fi
  "${runner[@]}" ctest --test-dir "$build/tests/$m" -L unit --output-on-failure -j"$jobs" \
    --timeout 600 "${exclude[@]}" || status=1
done
end=$(date +%s)
echo "test_sanitize: build $((built - start)) s, tests $((end - built)) s" >&2
exit "$status"
