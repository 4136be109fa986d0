#!/bin/sh
# Mouth close-ups (issue #16): every shared portrait, the bundled sample and 12 frames of
# real videos in ../shared/media (any video frame is a portrait), each at rest, shut,
# half-open, open, pucker and smile, from the default 512² render. Prints the inner-lip
# gap dlib reads back on each close-up (output pixels) and writes one labelled sheet.
# Usage: docs/gallery/make_mouth_gallery.sh [BUILD_DIR [OUT.jpg]]
#        (default: build, docs/gallery/mouths.jpg; needs the rig_gallery target; run from
#        the checkout's root)
set -eu
build=${1:-build}
out=${2:-docs/gallery/mouths.jpg}
tool="$build/tests/video/rig_gallery"
. docs/gallery/gallery_faces.sh
gallery_setup
i=0
inputs=""
for portrait in $(cat "$work/faces"); do  # no spaces in these paths
  name=$(basename "${portrait%.*}" | cut -c1-28)
  "$tool" mouths "$portrait" "$work/row_$i.png" "$name"
  ffmpeg -v error -y -i "$work/row_$i.png" -vf "pad=iw+230:ih:230:0:color=0x282828,drawtext=fontfile=$font:text='$name':x=8:y=65:fontsize=15:fontcolor=white" "$work/label_$i.png"
  inputs="$inputs -i $work/label_$i.png"
  i=$((i + 1))
done
header="pad=iw:ih+28:0:28:color=0x282828"
x=230
for pose in rest shut half-open open pucker smile; do
  header="$header,drawtext=fontfile=$font:text=$pose:x=$((x + 80)):y=5:fontsize=18:fontcolor=white"
  x=$((x + 220))
done
# shellcheck disable=SC2086
ffmpeg -v error -y $inputs -filter_complex "vstack=$i,$header" -q:v 3 "$out"
echo "wrote $out ($i faces)"
