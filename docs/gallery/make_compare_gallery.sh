#!/bin/sh
# Real mouths beside Parla's (issue #16): for each video, its own frames at the 3rd, 50th
# and 97th percentile of dlib's inner-lip gap / mouth width (shut, half-open, open as the
# person speaks) over Parla's default 512² render of the video's first frame at shut,
# half-open and open at the jawOpen whose render dlib reads at the real frames' gap /
# width (the same opening, how it looks), as mouth close-ups at one scale. With
# BEFORE_RIG_GALLERY, that build's render is a row between the two (before / after).
# Usage: docs/gallery/make_compare_gallery.sh [BUILD_DIR [OUT.jpg [BEFORE_RIG_GALLERY]]]
#        (default: build, docs/gallery/mouths_vs_real.jpg; needs the rig_gallery target)
set -eu
build=${1:-build}
out=${2:-docs/gallery/mouths_vs_real.jpg}
before=${3:-}
tool="$build/tests/video/rig_gallery"
media=../shared/media
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
label() {  # TEXT Y: one drawtext of the name column
  echo "drawtext=fontfile=$font:text='$1':x=8:y=$2:fontsize=14:fontcolor=0xbbbbbb"
}
i=0
inputs=""
for video in "$media/video/hdtf_katiehill.mp4" "$media/video/retalking_woman.mp4" \
    "$media/realtalk/jixinya_EAMM__M030_sad_3_001.mp4" \
    "$media/realtalk/Sindhu-Hegde_speaker-separation__id00100_yMLqymKvTfA_00047.mp4"; do
  name=$(basename "${video%.*}" | cut -c1-24)
  echo "$name"
  "$tool" compare "$video" "$work/pair_$i.png"
  labels="$(label 'real video' 65),$(label Parla 215)"
  if [ -n "$before" ]; then
    "$before" compare "$video" "$work/before_$i.png" >/dev/null
    ffmpeg -v error -y -i "$work/before_$i.png" -i "$work/pair_$i.png" -filter_complex \
      "[0]crop=iw:ih/2:0:0[real];[0]crop=iw:ih/2:0:ih/2[b];[1]crop=iw:ih/2:0:ih/2[a];[real][b][a]vstack=3" "$work/rows_$i.png"
    mv "$work/rows_$i.png" "$work/pair_$i.png"
    labels="$(label 'real video' 65),$(label before 215),$(label after 365)"
  fi
  ffmpeg -v error -y -i "$work/pair_$i.png" -vf "pad=iw+200:ih:200:0:color=0x282828,drawtext=fontfile=$font:text='$name':x=8:y=25:fontsize=14:fontcolor=white,$labels" "$work/label_$i.png"
  inputs="$inputs -i $work/label_$i.png"
  i=$((i + 1))
done
header="pad=iw:ih+28:0:28:color=0x282828"
x=200
for pose in shut half-open open; do
  header="$header,drawtext=fontfile=$font:text=$pose:x=$((x + 75)):y=5:fontsize=18:fontcolor=white"
  x=$((x + 220))
done
# shellcheck disable=SC2086
ffmpeg -v error -y $inputs -filter_complex "vstack=$i,$header" -q:v 3 "$out"
echo "wrote $out ($i videos)"
