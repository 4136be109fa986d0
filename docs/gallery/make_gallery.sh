#!/bin/sh
# Regenerates docs/gallery from the bundled sample portrait:
#   contact_sheet.jpg  every channel (rows, contract order) at -1, 0, 0.5 and 1 of its
#                      natural extreme (columns; -1 only for signed channels)
#   talking.mp4        4 s of scripted talking motion (tests/video/rig_cases.h), 25 fps
#   fit_preview.jpg    the fitted landmarks and the rig's mesh
# Usage: docs/gallery/make_gallery.sh [BUILD_DIR]   (default: build; needs rig_gallery)
set -eu
build=${1:-build}
tool="$build/tests/video/rig_gallery"
portrait=data/sample/portrait.png
out=docs/gallery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cell=160
"$tool" sheet "$portrait" "$work/sheet.png" $cell
# A label column on the left and a header row on top, drawn with DejaVu Sans.
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
filters="pad=iw+190:ih+30:190:30:color=0x282828"
row=0
for name in jawOpen mouthClose mouthFunnel mouthPucker mouthStretch mouthSmile \
    mouthRollLower tongueOut eyeBlinkLeft eyeBlinkRight eyeLookX eyeLookY browInnerUp \
    browDown headYaw headPitch headRoll headX headY headScale; do
  y=$((30 + row * cell + cell / 2 - 10))
  filters="$filters,drawtext=fontfile=$font:text=$name:x=12:y=$y:fontsize=20:fontcolor=white"
  row=$((row + 1))
done
column=0
for label in "-1" "0" "0.5" "1"; do
  x=$((190 + column * cell + cell / 2 - 12))
  filters="$filters,drawtext=fontfile=$font:text=$label:x=$x:y=5:fontsize=20:fontcolor=white"
  column=$((column + 1))
done
ffmpeg -v error -y -i "$work/sheet.png" -vf "$filters" -q:v 3 "$out/contact_sheet.jpg"

"$tool" clip "$portrait" "$work/clip"
ffmpeg -v error -y -framerate 25 -i "$work/clip/frame_%04d.png" -c:v libx264 -crf 18 \
  -preset slow -pix_fmt yuv420p -movflags +faststart "$out/talking.mp4"
"$tool" preview "$portrait" "$work/preview.png"
ffmpeg -v error -y -i "$work/preview.png" -q:v 3 "$out/fit_preview.jpg"
echo "wrote $out/contact_sheet.jpg $out/talking.mp4 $out/fit_preview.jpg"
