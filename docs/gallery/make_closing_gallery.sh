#!/bin/sh
# Lips closing over an open jaw before and after a renderer change (issue #16; docs/rig.md
# "Lips cover the teeth in the last third of a closure"): the portraits that show their
# teeth (the sample, obama.jpg, katiehill at 0.5 s and 2.5 s), jawOpen 0.3 and smile 0.14
# as the generator leaves a closure, at mouthClose 0.6 / 0.75 / 0.85 / 0.92, 512² renders
# (`rig_gallery frame`, 1.6 face units a side) cropped to the mouth and enlarged 1.5×;
# for each face a row by BEFORE's rig_gallery over a row by this build's.
# Usage: docs/gallery/make_closing_gallery.sh BEFORE_RIG_GALLERY [BUILD_DIR [OUT.jpg]]
set -eu
before=$1
build=${2:-build}
out=${3:-docs/gallery/closing_lips.jpg}
after="$build/tests/video/rig_gallery"
. docs/gallery/gallery_faces.sh
gallery_scratch
media=../shared/media
for t in 0.5 2.5; do
  ffmpeg -v error -y -ss "$t" -i "$media/video/hdtf_katiehill.mp4" -frames:v 1 "$work/katiehill_$t.png"
done
i=0
for portrait in data/sample/portrait.png "$media/portraits/obama.jpg" "$work/katiehill_0.5.png" "$work/katiehill_2.5.png"; do
  name=$(basename "${portrait%.*}")
  for side in before after; do
    tool=$before
    [ "$side" = after ] && tool=$after
    inputs=""
    crops=""
    cells=""
    k=0
    for close in 0.6 0.75 0.85 0.92; do
      "$tool" frame "$portrait" "$work/f_$close.png" 512 1.6 jawOpen=0.3 mouthSmile=0.14 "mouthClose=$close"
      inputs="$inputs -i $work/f_$close.png"
      crops="$crops[$k]crop=300:170:106:320[c$k];"  # the mouth of the 512² frame
      cells="$cells[c$k]"
      k=$((k + 1))
    done
    # shellcheck disable=SC2086
    ffmpeg -v error -y $inputs -filter_complex \
      "$crops${cells}hstack=$k,scale=iw*1.5:-1,pad=iw+200:ih:200:0:color=0x282828,drawtext=fontfile=$font:text='$name $side':x=6:y=80:fontsize=16:fontcolor=white" \
      "$work/row_$i.png"
    i=$((i + 1))
  done
done
gallery_sheet "$out" 200 450 150 "close 0.6" "0.75" "0.85" "0.92"
