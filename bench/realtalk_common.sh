# Sourced by the benches that score real talking faces and Parla's renders of them
# (mouth_vq, realtalk_vq, vq_mouth_colour, mouth_light; run from the checkout's root).
# `vq PARLA VIDEO [DIGITS]`: the critic's VQ of VIDEO (`parla score`, its JSON in
# $work/s.json; $work is the caller's scratch folder), DIGITS decimals (default 1); fails
# when the video cannot be scored. `heldout_speakers FILE`: the held-out speakers of the
# real clips (train/real_clips.cpp kValidationSpeakers, never trained on), one a line.
vq() {
  "$1" score "$2" --json "$work/s.json" </dev/null >/dev/null 2>&1 &&
    python3 -c "import json,sys; print('%.*f' % (int(sys.argv[2]), json.load(open(sys.argv[1]))['vq']['score']))" \
      "$work/s.json" "${3:-1}"
}

heldout_speakers() {
  sed -n '/kValidationSpeakers = {/,/};/p' train/real_clips.cpp | grep -o '"[^"]*"' | tr -d '"' >"$1"
}
