# Sourced by the benches that score real talking faces and Parla's renders of them
# (mouth_vq, realtalk_vq, realtalk_ab, critic_retest, track_retest, vq_mouth_colour,
# vq_grain, mouth_light, mouth_width, lip_travel, open_rounding; run from the checkout's
# root).
# Sourcing it makes the caller's scratch folder, $work, removed when the bench exits.
# `scores PARLA VIDEO DIGITS HEAD...`: the critic's scores of VIDEO for each HEAD (ls, mn,
# vq; `parla score`, its JSON in $work/s.json), space-separated, DIGITS decimals; fails
# when the video cannot be scored. `vq PARLA VIDEO [DIGITS]`: its VQ (default 1 decimal).
# `heldout_speakers FILE`: the held-out speakers of the real clips (train/real_clips.cpp
# kValidationSpeakers, never trained on), one a line.
# `chosen_clips HELDOUT_FILE`: the realtalk clips a bench reads, "file<TAB>speaker" a line:
# every STEP-th (default 6), or with SPEAKERS=heldout every clip of the held-out speakers.
# `reencoded VIDEO`: a visually lossless copy of it (libx264 crf 16, the audio copied;
# $work/re.mp4), its path printed.
# `clip_audio CLIP`: the clip's audio as 16 kHz mono ($work/a.wav). `frame_audio CLIP`:
# that, and the clip's frame at 0.5 s ($work/p.png), the portrait Parla's renders of it
# start from. `render_frame PARLA`: Parla's render of that frame on that audio
# ($work/r.mp4); fails when it cannot render it.
# `frame_audio_still CLIP`: those, and that frame as a still video with the audio, up to
# 4 s ($work/still.mp4).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scores() {
  "$1" score "$2" --json "$work/s.json" </dev/null >/dev/null 2>&1 || return
  shift 2  # DIGITS HEAD...
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(*('%.*f' % (int(sys.argv[2]), d[h]['score']) for h in sys.argv[3:]))" \
    "$work/s.json" "$@"
}

vq() { scores "$1" "$2" "${3:-1}" vq; }

heldout_speakers() {
  sed -n '/kValidationSpeakers = {/,/};/p' train/real_clips.cpp | grep -o '"[^"]*"' | tr -d '"' >"$1"
}

chosen_clips() {
  tail -n +2 ../shared/media/realtalk/MANIFEST.tsv | cut -f1,6 |
    if [ "${SPEAKERS:-}" = heldout ]; then awk -F '\t' 'NR == FNR { h[$0]; next } $2 in h' "$1" -
    else awk -v s="${STEP:-6}" '(NR - 1) % s == 0'; fi
}

reencoded() {
  ffmpeg -nostdin -v error -y -i "$1" -c:v libx264 -crf 16 -pix_fmt yuv420p -c:a copy "$work/re.mp4" && echo "$work/re.mp4"
}

clip_audio() {
  ffmpeg -nostdin -v error -y -i "$1" -vn -ac 1 -ar 16000 "$work/a.wav"
}

frame_audio() {
  ffmpeg -nostdin -v error -y -ss 0.5 -i "$1" -frames:v 1 "$work/p.png"
  clip_audio "$1"
}

render_frame() {
  "$1" render "$work/p.png" "$work/a.wav" -o "$work/r.mp4" -y -q </dev/null 2>/dev/null
}

frame_audio_still() {
  frame_audio "$1"
  seconds=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/a.wav" | awk '{ print ($1 < 4 ? $1 : 4) }')
  ffmpeg -nostdin -v error -y -loop 1 -t "$seconds" -i "$work/p.png" -i "$work/a.wav" -map 0:v -map 1:a -t "$seconds" -r 25 \
    -c:v libx264 -crf 18 -pix_fmt yuv420p -vf 'pad=ceil(iw/2)*2:ceil(ih/2)*2' "$work/still.mp4"
}
