#!/bin/sh
# Encoder settings against quality on real renders: for each x264 preset/tune/crf, the
# whole `parla render` (wall, CPU), the file size, and PSNR/SSIM (FFmpeg's psnr and
# ssim filters, Y'CbCr averages) against a lossless render of the same frames
# (--crf 0, which x264 codes losslessly in 8 bit). Then x264 alone re-encoding the
# lossless frames with frame vs slice threads. Figures: docs/benchmarks.md.
#
#   bench/encoder_sweep.sh [build/cli/parla] [OUT_DIR]
# Needs bench_e2e's inputs (run build/bench/bench_e2e once) or makes them the same way.
set -eu
PARLA=${1:-build/cli/parla}
OUT=${2:-/tmp/parla-encoder-sweep}
IN=/tmp/parla-bench-e2e
mkdir -p "$OUT"
export XDG_CACHE_HOME="$OUT/cache"
[ -f "$IN/speech_60s.wav" ] && [ -f "$IN/portrait_1080p.png" ] || { echo "run build/bench/bench_e2e --runs 1 first" >&2; exit 1; }

# name | parla options (size, framing; commas for spaces) | audio
sizes="512|--size,512|$IN/speech_60s.wav 1080p|--full|$IN/speech_20s.wav"
configs="ultrafast:20: superfast:20: superfast:23: veryfast:20: veryfast:23: faster:20: superfast:20:fastdecode veryfast:20:fastdecode superfast:20:zerolatency"

quality() {  # test.mp4 reference.mp4 -> "psnr ssim"
  ffmpeg -nostdin -v info -i "$1" -i "$2" -lavfi \
    "[0:v]split[a0][a1];[1:v]split[b0][b1];[a0][b0]psnr;[a1][b1]ssim" -f null - 2>&1 |
    awk '/PSNR/ {for (i = 1; i <= NF; i++) if ($i ~ /^average:/) {sub("average:", "", $i); p = $i}}
         /SSIM/ {for (i = 1; i <= NF; i++) if ($i ~ /^All:/) {sub("All:", "", $i); s = $i}}
         END {print p, s}'
}

printf '%-6s %-22s %7s %7s %8s %9s %8s %8s\n' size config wall_s cpu_s fps size_kB psnr_dB ssim
for entry in $sizes; do
  name=${entry%%|*}; rest=${entry#*|}; framing=$(echo "${rest%%|*}" | tr , ' '); audio=${rest#*|}
  portrait=data/sample/portrait.png
  [ "$name" = 1080p ] && portrait=$IN/portrait_1080p.png
  ref="$OUT/ref_$name.mp4"
  # shellcheck disable=SC2086
  [ -f "$ref" ] || "$PARLA" render -q "$portrait" "$audio" $framing --preset ultrafast --crf 0 -o "$ref"
  frames=$(ffprobe -v error -select_streams v:0 -show_entries stream=nb_frames -of csv=p=0 "$ref")
  for c in $configs; do
    preset=${c%%:*}; r=${c#*:}; crf=${r%%:*}; tune=${r#*:}
    out="$OUT/${name}_${preset}_${crf}_${tune:-none}.mp4"
    tune_opt=""; [ -n "$tune" ] && tune_opt="--tune $tune"
    # shellcheck disable=SC2086
    t=$( { /usr/bin/time -f '%e %U %S' "$PARLA" render -q "$portrait" "$audio" $framing \
           --preset "$preset" --crf "$crf" $tune_opt -o "$out" ; } 2>&1 | tail -1)
    wall=$(echo "$t" | cut -d' ' -f1); cpu=$(echo "$t" | awk '{print $2 + $3}')
    q=$(quality "$out" "$ref")
    printf '%-6s %-22s %7.2f %7.2f %8.1f %9d %8s %8s\n' "$name" "$preset/$crf/${tune:-none}" "$wall" "$cpu" \
      "$(echo "$frames / $wall" | bc -l)" "$(($(stat -c %s "$out") / 1024))" $q
  done
  # x264 alone on the lossless frames (decode included, measured separately).
  dec=$( { /usr/bin/time -f '%U %S' ffmpeg -nostdin -v error -i "$ref" -an -f null - ; } 2>&1 | awk '{print $1 + $2}')
  printf '%-6s decode only: %.2f s CPU\n' "$name" "$dec"
  for preset in superfast veryfast; do
    for threads in "1:0" "2:0" "2:1" "3:0"; do
      n=${threads%%:*}; sliced=${threads#*:}
      t=$( { /usr/bin/time -f '%e %U %S' ffmpeg -nostdin -v error -i "$ref" -an -c:v libx264 -preset "$preset" \
             -crf 20 -threads "$n" -x264-params "sliced-threads=$sliced" -f null - ; } 2>&1 | tail -1)
      wall=$(echo "$t" | cut -d' ' -f1); cpu=$(echo "$t" | awk '{print $2 + $3}')
      printf '%-6s x264 %-9s threads %s sliced %s: %6.2f s wall, %5.2f ms CPU/frame (decode subtracted)\n' \
        "$name" "$preset" "$n" "$sliced" "$wall" "$(echo "($cpu - $dec) * 1000 / $frames" | bc -l)"
    done
  done
done
