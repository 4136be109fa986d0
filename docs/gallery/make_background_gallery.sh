#!/bin/sh
# Still background (issue #16): for each face, the rig's foreground estimate (background
# tinted blue, the band where the head weight ramps up in yellow, the silhouette in red)
# and a large head pose (headYaw 0.4, headPitch 0.2, headX 0.15) rendered with the old
# head-weight falloff and with the silhouette. Prints each estimate's confidence.
# Usage: docs/gallery/make_background_gallery.sh [BUILD_DIR [OUT.jpg]]
#        (default: build, docs/gallery/still_background.jpg; needs the rig_gallery target)
set -eu
build=${1:-build}
out=${2:-docs/gallery/still_background.jpg}
tool="$build/tests/video/rig_gallery"
media=../shared/media
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ffmpeg -v error -y -ss 0.5 -i "$media/video/retalking_woman.mp4" -frames:v 1 "$work/retalking_woman_0.5.png"
ffmpeg -v error -y -ss 2.5 -i "$media/video/hdtf_katiehill.mp4" -frames:v 1 "$work/hdtf_katiehill_2.5.png"
ffmpeg -v error -y -ss 1.0 -i "$media/realtalk/mtanveer1_AVCrossNet__E1_silent_plus_target.mp4" -frames:v 1 "$work/AVCrossNet_E1.png"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
pose="headYaw=0.4 headPitch=0.2 headX=0.15"
i=0
inputs=""
for portrait in data/sample/portrait.png "$media"/portraits/obama.jpg "$media"/portraits/illustration.png \
    "$media"/portraits/mona_lisa.jpg "$work"/retalking_woman_0.5.png "$work"/hdtf_katiehill_2.5.png \
    "$work"/AVCrossNet_E1.png; do
  name=$(basename "${portrait%.*}")
  verdict=$("$tool" silhouette "$portrait" "$work/sil_$i.png")
  echo "$verdict"
  # shellcheck disable=SC2086
  "$tool" frame "$portrait" "$work/before_$i.png" 320 5.2 $pose --no-silhouette
  # shellcheck disable=SC2086
  "$tool" frame "$portrait" "$work/after_$i.png" 320 5.2 $pose
  label=$(echo "$verdict" | sed 's/ seeds_kept.*crown_kept [0-9.]*//; s/(falloff as before)/- falloff kept/; s/:/\\:/g')
  ffmpeg -v error -y -i "$work/sil_$i.png" -i "$work/before_$i.png" -i "$work/after_$i.png" -filter_complex \
    "[0]scale=240:320:force_original_aspect_ratio=decrease,pad=240:320:(ow-iw)/2:(oh-ih)/2:color=0x282828[s];[s][1][2]hstack=3,pad=iw:ih+24:0:24:color=0x282828,drawtext=fontfile=$font:text='$label':x=8:y=4:fontsize=15:fontcolor=white" \
    "$work/row_$i.png"
  inputs="$inputs -i $work/row_$i.png"
  i=$((i + 1))
done
# shellcheck disable=SC2086
ffmpeg -v error -y $inputs -filter_complex "vstack=$i" -q:v 4 "$out"
echo "wrote $out ($i faces: estimate | pose, old falloff | pose, silhouette)"
