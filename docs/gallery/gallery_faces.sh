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

# Stacks $work/row_0.png, row_1.png, ... (as many as there are, in order) into OUT under
# a header: each LABEL over its CELL_W-pixel cell, the first cell LEFT pixels in (after
# the name column), each label INDENT pixels into its cell.
gallery_sheet() {  # OUT LEFT CELL_W INDENT LABEL...
  sheet_out=$1
  x=$(($2 + $4))
  cell=$3
  shift 4
  rows=0
  inputs=""
  while [ -f "$work/row_$rows.png" ]; do
    inputs="$inputs -i $work/row_$rows.png"
    rows=$((rows + 1))
  done
  header="pad=iw:ih+28:0:28:color=0x282828"
  for label in "$@"; do
    header="$header,drawtext=fontfile=$font:text='$label':x=$x:y=5:fontsize=18:fontcolor=white"
    x=$((x + cell))
  done
  # shellcheck disable=SC2086
  ffmpeg -v error -y $inputs -filter_complex "vstack=$rows,$header" -q:v 3 "$sheet_out"
  echo "wrote $sheet_out ($rows faces)"
}

# $work/row_I.png: PORTRAIT's mouth close-ups (`rig_gallery mouths`: 220x150 cells, rest,
# shut, half-open, open, pucker, smile) by BEFORE's and AFTER's rig_gallery, their cells
# CELL_A and CELL_B (0-based) as before | after | before | after, beside a 200-pixel
# column with NAME and, under it, LABEL.
before_after_row() {  # BEFORE AFTER PORTRAIT I NAME CELL_A CELL_B [LABEL]
  "$1" mouths "$3" "$work/b_$4.png" "$5" >/dev/null
  "$2" mouths "$3" "$work/a_$4.png" "$5" >/dev/null
  xa=$((220 * $6))
  xb=$((220 * $7))
  text="drawtext=fontfile=$font:text='$5':x=6:y=58:fontsize=13:fontcolor=white"
  [ -z "${8:-}" ] || text="$text,drawtext=fontfile=$font:text='$8':x=6:y=80:fontsize=13:fontcolor=white"
  ffmpeg -v error -y -i "$work/b_$4.png" -i "$work/a_$4.png" -filter_complex \
    "[0]crop=220:150:$xa:0[b0];[1]crop=220:150:$xa:0[a0];[0]crop=220:150:$xb:0[b1];[1]crop=220:150:$xb:0[a1];[b0][a0][b1][a1]hstack=4,pad=iw+200:ih:200:0:color=0x282828,$text" \
    "$work/row_$4.png"
}
