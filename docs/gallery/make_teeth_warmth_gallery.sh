#!/bin/sh
# Painted teeth before and after they took more of the face's hue (docs/rig.md "Teeth
# take the face's warmth"): the gallery faces whose teeth the renderer paints (the
# portrait shows few of its own), as close-ups of the default 512² render (`rig_gallery
# mouths`) half-open (jawOpen 0.35) and open (0.8), with BEFORE's rig_gallery and this
# build's.
# Usage: docs/gallery/make_teeth_warmth_gallery.sh BEFORE_RIG_GALLERY [BUILD_DIR [OUT.jpg]]
set -eu
before=$1
build=${2:-build}
out=${3:-docs/gallery/teeth_warmth.jpg}
after="$build/tests/video/rig_gallery"
. docs/gallery/gallery_faces.sh
gallery_setup
i=0
for portrait in $(cat "$work/faces"); do  # no spaces in these paths
  # the painted upper row's height (`rig_gallery interior`), 0 where the portrait shows its own teeth
  upper=$("$after" interior "$portrait" 2>/dev/null | sed -n 's/.*upper teeth \([0-9.]*\) .*/\1/p')
  case "$upper" in "" | 0.000) continue ;; esac
  name=$(basename "${portrait%.*}" | sed 's/^rt_[^_]*_//' | cut -c1-24)
  # half-open is the third cell, open the fourth
  before_after_row "$before" "$after" "$portrait" "$i" "$name" 2 3
  i=$((i + 1))
done
gallery_sheet "$out" 200 220 30 "half-open before" "half-open now" "open before" "open now"
