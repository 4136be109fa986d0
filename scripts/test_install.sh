#!/usr/bin/env bash
# Installs build/ into a temporary prefix and builds examples/ against that prefix only
# (find_package(Parla), and render_file once more through pkg-config), then runs each
# example on the bundled sample from a directory outside the source tree and checks what
# it made: an MP4 with the right frame count (ffprobe), the streamed motion's frame
# count, a picture, a score report. Run after a full build (scripts/test.sh); CI runs it
# after the tests. docs/library.md "Install and package".
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PARLA_BUILD_DIR:-build}
work=$(mktemp -d /tmp/parla-test-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
unset PARLA_DATA_DIR  # the installed tree must find its own data
fail() { echo "test_install: FAILED: $*" >&2; exit 1; }
start=$(date +%s)

cmake --install "$build" --prefix "$prefix" >/dev/null
echo "installed into $prefix ($(du -sh "$prefix" | cut -f1))"
cmake -S examples -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/configure.log" || { cat "$work/configure.log"; fail "configure"; }
cmake --build "$work/examples" -j"$(nproc)" >"$work/build.log" || { cat "$work/build.log"; fail "build"; }
# The examples must reach Parla through the prefix alone: no build- or source-tree path.
for exe in render_file stream score; do
  [ -x "$work/examples/$exe" ] || fail "example $exe was not built"
  if ldd "$work/examples/$exe" | grep -q "$PWD"; then fail "$exe links a library from $PWD"; fi
done
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
g++ -std=c++20 -O1 examples/render_file.cpp -o "$work/render_file_pc" $(pkg-config --cflags --libs parla) \
  -Wl,-rpath,"$(pkg-config --variable=libdir parla)" || fail "build through pkg-config"

cd "$work"
sample=$prefix/share/parla/sample
frames_of() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

# 1. render to a file; the sample's 8.345 s at 25 fps is 209 frames.
line=$("$work/examples/render_file" out.mp4) || fail "render_file"
echo "render_file: $line"
[ "$(frames_of out.mp4)" = 209 ] || fail "out.mp4 has $(frames_of out.mp4) frames, expected 209"
[[ $line == "frames=209 width=256 height=256 "* ]] || fail "render_file reported '$line'"
"$work/render_file_pc" "$sample/portrait.png" "$sample/speech.flac" out_pc.mp4 >/dev/null || fail "render_file (pkg-config)"
# (Same frames; not compared byte for byte: x264's frame threads under load may differ.)
[ "$(frames_of out_pc.mp4)" = 209 ] || fail "out_pc.mp4 (pkg-config build) has $(frames_of out_pc.mp4) frames"

# 2. stream: PCM at 48 kHz pushed in 10 ms chunks; every 16 kHz sample S gives
#    ceil(ceil(S / 160) / 4) motion frames, each drawn.
ffmpeg -v error -i "$sample/speech.flac" -ac 1 -ar 48000 -f f32le speech.f32
line=$("$work/examples/stream" speech.f32 48000 "$sample/portrait.png" frame.ppm) || fail "stream"
echo "stream: $line"
samples=$(sed -E 's/.*samples_16k=([0-9]+).*/\1/' <<<"$line")
expected=$(( ( (samples + 159) / 160 + 3 ) / 4 ))
[[ $line == "motion_frames=$expected pictures=$expected "* ]] || fail "stream: expected $expected motion frames and pictures"
(( expected >= 205 && expected <= 212 )) || fail "stream: $expected frames for 8.3 s of speech"
jaw=$(sed -E 's/.*jaw_open_max=([0-9.]+).*/\1/' <<<"$line")
awk -v j="$jaw" 'BEGIN { exit !(j > 0.2) }' || fail "stream: the jaw never opened (max $jaw)"
[ "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 frame.ppm)" = "256,256" ] || fail "stream: frame.ppm"

# 3. score the render: a report with the three scores on 0..100.
line=$("$work/examples/score" out.mp4 score.json) || fail "score"
echo "score: $line"
# The report's "scores" object: LS, MN and VQ on 0..100, LS as printed.
scores=$(grep -oE '"scores":\{[^}]*\}' score.json) || fail "score.json has no scores"
score_of() { sed -nE "s/.*\"$1\":([0-9.]+).*/\1/p" <<<"$scores"; }
ls_score=$(score_of ls) mn_score=$(score_of mn) vq_score=$(score_of vq)
printed=$(sed -E 's/.*lip_sync=([0-9.]+).*/\1/' <<<"$line")
awk -v ls="$ls_score" -v mn="$mn_score" -v vq="$vq_score" -v printed="$printed" 'BEGIN {
  if (ls == "" || mn == "" || vq == "") exit 1
  if (ls < 0 || ls > 100 || mn < 0 || mn > 100 || vq < 0 || vq > 100) exit 1
  exit (printed - ls > 0.06 || ls - printed > 0.06) }' || fail "score.json: $scores vs '$line'"

# 4. the installed command line, from here, with the prefix's data.
"$prefix/bin/parla" render --sample --size 128 -q -o cli.mp4 || fail "installed parla render --sample"
[ "$(frames_of cli.mp4)" = 209 ] || fail "cli.mp4 frames"
echo "test_install: ok in $(( $(date +%s) - start )) s"
