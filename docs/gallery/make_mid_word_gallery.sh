#!/bin/sh
# Portraits taken mid-word before and after the rig read jawOpen relative to their own
# opening (docs/rig.md "A portrait taken mid-word"): every realtalk frame at 0.5 s whose
# own jaw is open (`rig_gallery interior`) and the two such gallery faces, as close-ups
# of the default 512² render (`rig_gallery mouths`) at jawOpen 0 and 0.35 with BEFORE's
# rig_gallery and this build's.
# Usage: docs/gallery/make_mid_word_gallery.sh BEFORE_RIG_GALLERY [BUILD_DIR [OUT.jpg]]
set -eu
before=$1
build=${2:-build}
out=${3:-docs/gallery/mid_word.jpg}
after="$build/tests/video/rig_gallery"
media=../shared/media
. docs/gallery/gallery_faces.sh
gallery_scratch
ffmpeg -v error -y -ss 6.5 -i "$media/video/hdtf_katiehill.mp4" -frames:v 1 "$work/katiehill_6.5.png"
ffmpeg -v error -y -ss 4.5 -i "$media/video/retalking_woman.mp4" -frames:v 1 "$work/retalking_woman_4.5.png"
tail -n +2 "$media/realtalk/MANIFEST.tsv" | cut -f1 | while read -r file; do
  ffmpeg -nostdin -v error -y -ss 0.5 -i "$media/realtalk/$file" -frames:v 1 "$work/rt_${file%.mp4}.png"
done
i=0
for portrait in "$work"/*.png; do  # no spaces in these paths
  own=$("$after" interior "$portrait" 2>/dev/null | sed -n 's/.*own jaw \([0-9.]*\).*/\1/p')
  case "$own" in "" | 0.000) continue ;; esac
  name=$(basename "${portrait%.*}" | sed 's/^rt_[^_]*_//' | cut -c1-24)
  # rest (jawOpen 0) is the first cell, half (jawOpen 0.35) the third
  before_after_row "$before" "$after" "$portrait" "$i" "$name" 0 2 "own jaw $own"
  i=$((i + 1))
done
gallery_sheet "$out" 200 220 40 "jaw 0 before" "jaw 0 now" "jaw 0.35 before" "jaw 0.35 now"
