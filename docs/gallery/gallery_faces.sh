# Sourced by the mouth galleries. `gallery_setup` makes a scratch folder $work (removed
# on exit, `gallery_scratch`), sets $font and lists the faces in $work/faces; `gallery_faces DIR` writes 12 frames of the real videos
# in ../shared/media into DIR (any video frame is a portrait: four moments of each test
# video, one frame of four realtalk clips) and prints every face of the galleries, one
# path per line: the sample, the shared portraits, then those frames.
gallery_faces() {
  media=../shared/media
  for v in hdtf_katiehill retalking_woman; do
    for t in 0.5 2.5 4.5 6.5; do
      ffmpeg -v error -y -ss "$t" -i "$media/video/$v.mp4" -frames:v 1 "$1/${v}_$t.png"
    done
  done
  for c in tanshuai0219_EDTalk__uncrop_Obama Hangz-nju-cuhk_Talking-Face_PC-AVS__Pose_Source_00067 \
      mtanveer1_AVCrossNet__E1_silent_plus_target jixinya_EAMM__M030_sad_3_001; do
    ffmpeg -v error -y -ss 1.0 -i "$media/realtalk/$c.mp4" -frames:v 1 "$1/rt_$c.png"
  done
  for p in data/sample/portrait.png "$media"/portraits/*.* "$1"/*.png; do echo "$p"; done
}

# A scratch folder $work (removed on exit) and the label font $font.
gallery_scratch() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
}

gallery_setup() {
  gallery_scratch
  mkdir "$work/frames"
  gallery_faces "$work/frames" > "$work/faces"
}
