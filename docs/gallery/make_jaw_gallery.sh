#!/bin/sh
# The jaw opening below the upper teeth (issue #16, docs/rig.md "Mouth close-ups"): the
# three gallery faces that smile with their upper teeth running below the midline
# between their lips, at rest, jawOpen 0.15, 0.35, jawOpen 0.2 with mouthClose 0.5 and
# shut, from the default 512² render of two builds (a row each), as mouth close-ups.
# Usage: docs/gallery/make_jaw_gallery.sh BEFORE_RIG_GALLERY [BUILD_DIR [OUT.jpg]]
#        (default: build, docs/gallery/jaw_below_teeth.jpg; run from the checkout's root)
set -eu
before=$1
after="${2:-build}/tests/video/rig_gallery"
out=${3:-docs/gallery/jaw_below_teeth.jpg}
# The scratch folder, font and gallery frames (gallery_faces.sh).
. docs/gallery/gallery_faces.sh
gallery_setup
# face | label | mouth crop of the 512² render (w:h:x:y)
faces="data/sample/portrait.png|sample|110:60:195:265
../shared/media/portraits/obama.jpg|obama.jpg|130:60:188:285
$work/frames/hdtf_katiehill_0.5.png|katiehill 0.5 s|110:50:215:362"
n=0
echo "$faces" | while IFS='|' read -r face label crop; do
  for tool in "$before" "$after"; do
    inputs="" chain="" i=0
    for pose in "" "jawOpen=0.15" "jawOpen=0.35" "jawOpen=0.2 mouthClose=0.5" "jawOpen=0.06 mouthClose=1"; do
      # shellcheck disable=SC2086
      "$tool" frame "$face" "$work/p$i.png" 512 5.2 $pose < /dev/null
      inputs="$inputs -i $work/p$i.png"
      chain="${chain}[$i]crop=$crop,scale=220:-1:flags=neighbor[c$i];"
      i=$((i + 1))
    done
    # shellcheck disable=SC2086
    ffmpeg -nostdin -v error -y $inputs -filter_complex "${chain}[c0][c1][c2][c3][c4]hstack=5" "$work/row_$(basename "$tool")_$n.png"
  done
  ffmpeg -nostdin -v error -y -i "$work/row_$(basename "$before")_$n.png" -i "$work/row_$(basename "$after")_$n.png" \
    -filter_complex "vstack,pad=iw+150:ih:150:0:color=0x282828,drawtext=fontfile=$font:text='$label':x=8:y=10:fontsize=16:fontcolor=white,drawtext=fontfile=$font:text='before':x=8:y=40:fontsize=13:fontcolor=gray,drawtext=fontfile=$font:text='after':x=8:y=h/2+10:fontsize=13:fontcolor=gray" \
    "$work/face_$n.png"
  n=$((n + 1))
done
header="pad=iw:ih+28:0:28:color=0x282828"
i=0
for title in "rest" "jawOpen 0.15" "jawOpen 0.35" "jaw 0.2, close 0.5" "shut"; do
  header="$header,drawtext=fontfile=$font:text='$title':x=$((170 + i * 220)):y=6:fontsize=15:fontcolor=white"
  i=$((i + 1))
done
ffmpeg -nostdin -v error -y -i "$work/face_0.png" -i "$work/face_1.png" -i "$work/face_2.png" \
  -filter_complex "vstack=3,$header" -q:v 3 "$out"
echo "wrote $out"
