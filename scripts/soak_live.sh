#!/usr/bin/env bash
# Live soak (issue #15): `parla live` for MINUTES on a private PulseAudio server (null
# sinks, paced in real time) under a private Xvfb, its virtual microphone fed with real
# speech in a loop, with UNDERRUNS audio stalls injected evenly over the run (the
# PulseAudio server stopped with SIGSTOP for 100–300 ms, so the capture stream receives
# nothing: what a stalled or starved device does). Samples parla's RSS every minute and
# checks at the end: exit 0, no crash, resident memory at the end within 5 % of minute 5's
# (minute 1 for runs under 10 minutes), both the whole RSS and its anonymous part,
# every injected stall seen by the live worker, and that the
# picture still follows the audio: the last minute of the `--record` MP4 is scored by
# `parla score` (its own SyncNet-style lip-sync head: offset and confidence) beside the
# first minute.
#
#   scripts/soak_live.sh [MINUTES=60] [UNDERRUNS=100]
#
# Environment: SOAK_DIR (default: a new temporary directory; kept), PARLA (the binary,
# default build/cli/parla), PARLA_REPO (the checkout, for ../shared/media; default: the
# one holding this script), SOAK_SIZE (picture size, default 256), SOAK_RECORD=0 (no
# --record: memory and stalls only, no lip-sync check).
set -euo pipefail

minutes=${1:-60}
underruns=${2:-100}
repo=${PARLA_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
parla=${PARLA:-$repo/build/cli/parla}
size=${SOAK_SIZE:-256}
record=${SOAK_RECORD:-1}
dir=${SOAK_DIR:-$(mktemp -d /tmp/parla-soak.XXXXXX)}
media=$repo/../shared/media/speech
[[ -f $media/jfk_en_male.wav ]] || { echo "soak: no speech in $media" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
log() { echo "soak: $*" | tee -a "$dir/soak.log" >&2; }
[[ -x $parla ]] || { echo "soak: no parla binary at $parla" >&2; exit 2; }
for tool in pulseaudio pactl paplay Xvfb ffmpeg ffprobe; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is not installed" >&2; exit 2; }
done

# --- a private PulseAudio server and X display --------------------------------------
export HOME=$dir/pa/home XDG_RUNTIME_DIR=$dir/pa/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' >"$HOME/.asoundrc"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  [[ -n ${pulse_pid:-} ]] && kill -CONT "$pulse_pid" 2>/dev/null || true
  pulseaudio --kill 2>/dev/null || true
}
trap cleanup EXIT
pulseaudio --daemonize=yes --exit-idle-time=-1 -n --disallow-exit \
  --load='module-null-sink sink_name=speakers' --load='module-null-sink sink_name=mic' \
  --load=module-native-protocol-unix --log-target="file:$dir/pulse.log"
for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.05; done
pactl set-default-sink speakers
pactl set-default-source mic.monitor
pulse_pid=$(cat "$XDG_RUNTIME_DIR/pulse/pid")

exec 3>"$dir/display"
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s $dir/display ]] && break; sleep 0.1; done
export DISPLAY=:$(head -1 "$dir/display")

# --- the virtual microphone: real speech in a loop ------------------------------------
(
  while true; do
    for f in jfk_en_male.wav librivox_en_male.wav french_female.wav; do
      paplay --device=mic "$media/$f" || sleep 1
    done
  done
) >/dev/null 2>&1 &
feeder_pid=$!
pids+=("$feeder_pid")
sleep 1

# --- parla live -------------------------------------------------------------------
seconds=$((minutes * 60 + 20))
log "parla live for ${seconds} s, ${underruns} stalls injected, in $dir (DISPLAY=$DISPLAY)"
record_args=()
if [[ $record != 0 ]]; then record_args=(--record "$dir/live.mp4"); fi
"$parla" live --hud --size "$size" --seconds "$seconds" --stats "$dir/stats.json" \
  "${record_args[@]}" -y >"$dir/live.log" 2>&1 &
live_pid=$!
pids+=("$live_pid")

# kB of resident memory: all (VmRSS), anonymous (the process's own allocations: heap,
# stacks, GL buffers) and file-backed (pages of mapped libraries touched so far, e.g.
# llvmpipe's libLLVM; they come and go with use and memory pressure).
mem_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
start=$(date +%s)
declare -a rss anon
next_minute=1
injected=0
interval=$(awk -v s="$((minutes * 60))" -v n="$underruns" 'BEGIN {print (n > 0) ? s / (n + 1) : 1e9}')
next_stall=$interval
printf 'minute  rss_MiB  anon_MiB  file_MiB  stalls_injected\n' | tee "$dir/rss.txt"
while kill -0 "$live_pid" 2>/dev/null; do
  now=$(($(date +%s) - start))
  if awk -v n="$now" -v t="$next_stall" -v i="$injected" -v u="$underruns" \
    'BEGIN {exit !(n >= t && i < u)}'; then
    stall_ms=$((100 + (injected * 37) % 201))  # 100–300 ms, spread
    kill -STOP "$pulse_pid"
    sleep "$(awk -v m="$stall_ms" 'BEGIN {print m / 1000}')"
    kill -CONT "$pulse_pid"
    injected=$((injected + 1))
    echo "$now $stall_ms" >>"$dir/stalls.txt"
    next_stall=$(awk -v t="$next_stall" -v d="$interval" 'BEGIN {print t + d}')
  fi
  if ((now >= next_minute * 60)) && ((next_minute <= minutes)); then
    r=$(mem_kb "$live_pid" VmRSS) a=$(mem_kb "$live_pid" RssAnon) f=$(mem_kb "$live_pid" RssFile)
    rss[next_minute]=$r anon[next_minute]=$a
    printf '%6d  %7.1f  %8.1f  %8.1f  %15d\n' "$next_minute" "$(awk -v k="$r" 'BEGIN {print k / 1024}')" \
      "$(awk -v k="$a" 'BEGIN {print k / 1024}')" "$(awk -v k="$f" 'BEGIN {print k / 1024}')" \
      "$injected" | tee -a "$dir/rss.txt"
    next_minute=$((next_minute + 1))
  fi
  sleep 0.2
done
set +e
wait "$live_pid"
live_rc=$?
set -e
kill "$feeder_pid" 2>/dev/null || true

# --- verdict ------------------------------------------------------------------------
fail=0
verdict() { log "$*"; }
if ((live_rc != 0)); then
  verdict "FAIL: parla live exited $live_rc (see $dir/live.log)"
  fail=1
fi
ref_minute=$((minutes >= 10 ? 5 : 1))
# Both the whole RSS and its anonymous part (what a leak grows) must stay within 5 %.
ref=${anon[$ref_minute]:-0}
end=${anon[$minutes]:-0}
if ((ref == 0 || end == 0)); then
  verdict "FAIL: no memory sample at minute $ref_minute or $minutes"
  fail=1
else
  growth=$(awk -v a="$ref" -v b="$end" 'BEGIN {printf "%.2f", (b - a) * 100 / a}')
  rss_growth=$(awk -v a="${rss[$ref_minute]}" -v b="${rss[$minutes]}" 'BEGIN {printf "%.2f", (b - a) * 100 / a}')
  verdict "anonymous memory minute $ref_minute: $((ref / 1024)) MiB, minute $minutes:" \
    "$((end / 1024)) MiB ($growth %); whole RSS $((${rss[$ref_minute]} / 1024)) ->" \
    "$((${rss[$minutes]} / 1024)) MiB ($rss_growth %)"
  for g in "$growth" "$rss_growth"; do
    if awk -v g="$g" 'BEGIN {exit !(g > 5 || g < -5)}'; then
      verdict "FAIL: memory moved more than 5 % ($g %)"
      fail=1
    fi
  done
fi
if [[ -s $dir/stats.json ]]; then
  stats=$(python3 - "$dir/stats.json" "$injected" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
injected = int(sys.argv[2])
end_latency = next((l for l in s["hud_lines"] if l.startswith("LATENCY")), "no HUD")
print(f"stalls injected {injected}, seen by the worker {s['capture_stalls']} (longest gap "
      f"{s['capture_gap_max_s'] * 1e3:.0f} ms); capture: {s['capture_callbacks']} callbacks, "
      f"{s['capture_overflows']} overflows, {s['capture_dropped_samples']} samples dropped; "
      f"latency mean {s['latency_mean_s'] * 1e3:.0f} ms, p95 {s['latency_p95_s'] * 1e3:.0f} ms, "
      f"at the end (HUD, last 25 frames): {end_latency}; {s['frames_recorded']} frames recorded")
# Every injected stall must have reached the worker as one.
print("OK" if s["capture_stalls"] >= injected else "BAD")
EOF
)
  verdict "$(head -1 <<<"$stats")"
  [[ $(tail -1 <<<"$stats") == OK ]] || { verdict "FAIL: fewer stalls seen than injected"; fail=1; }
else
  verdict "FAIL: no --stats written"
  fail=1
fi
if [[ -s $dir/live.mp4 ]]; then
  duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$dir/live.mp4")
  clip=$((minutes >= 2 ? 60 : 30))
  ffmpeg -v error -y -ss 5 -t "$clip" -i "$dir/live.mp4" -c copy "$dir/first.mp4"
  ffmpeg -v error -y -sseof "-$((clip + 5))" -t "$clip" -i "$dir/live.mp4" -c copy "$dir/last.mp4"
  for part in first last; do
    nice "$parla" score "$dir/$part.mp4" --json "$dir/score_$part.json" -q -y \
      >"$dir/score_$part.log" 2>&1 || true
  done
  summary=$(python3 - "$dir" "$clip" <<'EOF'
import json, sys
d, clip = sys.argv[1], sys.argv[2]
out = []
scores = {}
bad = False
for part in ("first", "last"):
    try:
        s = json.load(open(f"{d}/score_{part}.json"))
    except Exception as e:  # noqa: BLE001
        out.append(f"{part}: no score ({e})"); bad = True; continue
    ls = s["ls"]
    scores[part] = ls
    out.append(f"{part} {clip} s: LS {s['scores']['ls']:.1f}, offset {ls['offset_frames']} frames, "
               f"LSE-C {ls['confidence']:.3f}, LSE-D {ls['min_distance']:.3f}")
# The picture follows the audio at the end: the lip-sync head finds the audio within a
# frame of the picture and is about as sure of it as in the first minute.
last = scores.get("last")
if last is None or abs(last["offset_frames"]) > 1:
    bad = True
elif "first" in scores and last["confidence"] < 0.5 * scores["first"]["confidence"]:
    bad = True
print("; ".join(out))
print("BAD" if bad else "OK")
EOF
)
  verdict "recording $duration s; $(head -1 <<<"$summary")"
  [[ $(tail -1 <<<"$summary") == OK ]] || fail=1
elif [[ $record != 0 ]]; then
  verdict "FAIL: no recording"
  fail=1
else
  verdict "no recording (SOAK_RECORD=0): the lip-sync check is skipped"
fi
if ((fail)); then verdict "VERDICT: FAIL ($dir)"; else verdict "VERDICT: PASS ($dir)"; fi
exit "$fail"
