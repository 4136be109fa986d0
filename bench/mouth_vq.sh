#!/bin/sh
# VQ of Parla's renders against the real videos they were made from (issue #16): for
# each test video, its frame at 0.5 s is the portrait and its own audio the speech; the
# real video and the renders of two builds (BEFORE, AFTER: `parla` binaries) are scored
# by the same critic (`parla score`, from SCORER). The shared portraits and the sample
# are rendered with the bundled speech and scored too (no real reference).
# Usage: bench/mouth_vq.sh BEFORE_PARLA AFTER_PARLA [SCORER_PARLA]
set -eu
before=$1
after=$2
scorer=${3:-$2}
media=../shared/media
. bench/realtalk_common.sh
printf '| face | real video VQ | render before | render after |\n|---|---|---|---|\n'
for v in hdtf_katiehill retalking_woman; do
  ffmpeg -v error -y -ss 0.5 -i "$media/video/$v.mp4" -frames:v 1 "$work/$v.png"
  ffmpeg -v error -y -i "$media/video/$v.mp4" -vn -ac 1 -ar 16000 "$work/$v.wav"
  "$before" render "$work/$v.png" "$work/$v.wav" -o "$work/b.mp4" -y -q
  "$after" render "$work/$v.png" "$work/$v.wav" -o "$work/a.mp4" -y -q
  printf '| %s | %s | %s | %s |\n' "$v" "$(vq "$scorer" "$media/video/$v.mp4")" "$(vq "$scorer" "$work/b.mp4")" "$(vq "$scorer" "$work/a.mp4")"
done
for p in data/sample/portrait.png "$media"/portraits/*.*; do
  "$before" render "$p" data/sample/speech.flac -o "$work/b.mp4" -y -q
  "$after" render "$p" data/sample/speech.flac -o "$work/a.mp4" -y -q
  printf '| %s | - | %s | %s |\n' "$(basename "$p")" "$(vq "$scorer" "$work/b.mp4")" "$(vq "$scorer" "$work/a.mp4")"
done
