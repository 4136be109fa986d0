#!/bin/sh
# Shut lips before and after a renderer change (issue #16): for every shared portrait,
# the sample and frames of the real videos in ../shared/media, the rest and shut
# (jawOpen 0.06, mouthClose 1) close-ups of the default 512² render (`rig_gallery
# mouths`), as rest | shut with BEFORE's rig_gallery | shut with this build's.
# Usage: docs/gallery/make_shut_gallery.sh BEFORE_RIG_GALLERY [BUILD_DIR [OUT.jpg]]
set -eu
before=$1
build=${2:-build}
out=${3:-docs/gallery/shut_lips.jpg}
after="$build/tests/video/rig_gallery"
. docs/gallery/gallery_faces.sh
gallery_setup
i=0
for portrait in $(cat "$work/faces"); do  # no spaces in these paths
  name=$(basename "${portrait%.*}" | cut -c1-22)
  "$before" mouths "$portrait" "$work/b_$i.png" "$name" >/dev/null
  "$after" mouths "$portrait" "$work/a_$i.png" "$name" >/dev/null
  # Cells are 220x150: rest is the first, shut the second.
  ffmpeg -v error -y -i "$work/a_$i.png" -i "$work/b_$i.png" -filter_complex \
    "[0]crop=220:150:0:0[r];[1]crop=220:150:220:0[b];[0]crop=220:150:220:0[a];[r][b][a]hstack=3,pad=iw+190:ih:190:0:color=0x282828,drawtext=fontfile=$font:text='$name':x=6:y=65:fontsize=14:fontcolor=white" \
    "$work/row_$i.png"
  i=$((i + 1))
done
gallery_sheet "$out" 190 220 60 rest "shut before" "shut after"
