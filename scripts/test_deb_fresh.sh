#!/usr/bin/env bash
# Installs the Debian package on a fresh Debian 12 and uses it there, the way a user
# would: debootstrap a minimal bookworm root, chroot into it, `apt-get install
# ./parla_*.deb` (without recommends: Depends alone must be enough), then from /tmp
# `parla render --sample -o out.mp4` (checked with ffprobe from outside), a render of a
# portrait without landmarks from ../shared/media when it is there, `parla score` of the
# first (the LibTorch side), and only then install a compiler and build examples/
# with find_package(Parla) and pkg-config against /usr, and run them.
#
#   sudo scripts/test_deb_fresh.sh [parla_X_amd64.deb]
#
# Without an argument the .deb is made first with `cpack -G DEB` from $PARLA_BUILD_DIR
# (default build/). Needs root, debootstrap and the network to a Debian mirror (the
# host's apt mirror, or $PARLA_DEB_MIRROR). Took 6.5-12 minutes here (debootstrap alone
# 2-29) and 2.0 GB under /var/tmp, so it is not part of CI (docs/library.md "Fresh
# Debian 12").
# PARLA_DEB_BASE=DIR copies DIR, a root made by `debootstrap --variant=minbase bookworm
# DIR` and never used since, instead of running debootstrap (DIR stays untouched).
# PARLA_KEEP_ROOT=1 keeps the root for a look around (its mounts are still undone).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
[ "$(id -u)" = 0 ] || { echo "test_deb_fresh: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "test_deb_fresh: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }
fail() { echo "test_deb_fresh: FAILED: $*" >&2; exit 1; }
t0=$(date +%s)
phase_start=$t0
timings=()
phase() {  # records the seconds since the previous phase under the name given
  local now; now=$(date +%s)
  timings+=("$1=$((now - phase_start))s")
  phase_start=$now
}

work=$(mktemp -d /var/tmp/parla-deb-fresh.XXXXXX)
root=$work/root
# Undo every mount under the root, innermost first; remove the root only when none is left.
cleanup() {
  local m
  for m in $(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  if awk -v r="$root" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    echo "test_deb_fresh: mounts left under $root; not removing it" >&2
  elif [ "${PARLA_KEEP_ROOT:-0}" = 1 ]; then
    echo "test_deb_fresh: root kept in $root"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# 1. The package.
if [ $# -ge 1 ]; then
  deb=$(realpath "$1")
else
  build=$(realpath "${PARLA_BUILD_DIR:-build}")
  (cd "$build" && cpack -G DEB -B "$work/cpack" >"$work/cpack.log") || { cat "$work/cpack.log"; fail "cpack"; }
  deb=$(ls "$work"/cpack/parla_*.deb)
fi
[ -f "$deb" ] || fail "no package at $deb"
echo "package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ */  depends: /'
phase package

# 2. A fresh minimal Debian 12, from the host's mirror.
host_mirror() {  # the first Debian mirror in the host's apt sources (deb822 or one-line)
  local f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -nE 's/^URIs: *([^ ]+).*/\1/p; s/^deb +(\[[^]]*\] +)?([^ ]+) +bookworm .*/\2/p' "$f"
  done | grep -v security | head -1 || true
}
mirror=${PARLA_DEB_MIRROR:-$(host_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
if [ -n "${PARLA_DEB_BASE:-}" ]; then
  echo "copying the fresh bookworm root $PARLA_DEB_BASE"
  cp -a "$PARLA_DEB_BASE" "$root"
else
  echo "debootstrap bookworm from $mirror into $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
fi
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666
mount -t tmpfs tmpfs "$root/dev/shm"
phase debootstrap

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive bash -c "$1"; }
cp "$deb" "$root/tmp/"
debname=$(basename "$deb")

# 3. apt-get install ./parla_*.deb: every library it needs must come from its Depends.
in_root "apt-get update -qq && apt-get install -y -qq --no-install-recommends ./tmp/$debname" \
  >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "apt-get install ./$debname"; }
echo "installed: $(grep -cE '^(Setting up|Unpacking)' "$work/apt.log" || true) apt steps," \
  "$(in_root 'dpkg-query -W | wc -l') packages in the root"
missing=$(in_root 'for f in /usr/bin/parla /usr/bin/parla-torch $(dpkg -L parla | grep "\.so"); do ldd "$f"; done' |
  grep 'not found' | sort -u || true)
[ -z "$missing" ] || fail "libraries not found after install: $missing"
phase apt_install

# 4. The command line from /tmp, with the package's data only.
in_root 'cd /tmp && parla render --sample -q -o out.mp4' || fail "parla render --sample -o out.mp4"
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$root/tmp/out.mp4")
streams=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$root/tmp/out.mp4" | tr '\n' ' ')
echo "parla render --sample: $frames frames, streams: $streams"
[ "$frames" = 209 ] || fail "out.mp4 has $frames video frames, expected 209"
[[ $streams == "h264 aac "* ]] || fail "out.mp4 streams: $streams"
# A portrait without a landmarks file (dlib's face detector and 68-point model, from
# libdlib-data) and a WAV, from the shared test media when they are there.
media=${PARLA_MEDIA_DIR:-$src/../shared/media}
if [ -f "$media/portraits/obama.jpg" ] && [ -f "$media/speech/jfk_en_male.wav" ]; then
  cp "$media/portraits/obama.jpg" "$media/speech/jfk_en_male.wav" "$root/tmp/"
  in_root 'cd /tmp && parla render obama.jpg jfk_en_male.wav -q -o obama.mp4' || fail "parla render obama.jpg jfk_en_male.wav"
  frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$root/tmp/obama.mp4")
  echo "parla render obama.jpg jfk_en_male.wav: $frames frames"
  [ "$frames" = 275 ] || fail "obama.mp4 has $frames video frames, expected 275 (11.0 s at 25 fps)"
else
  echo "no shared media in $media: the render of a portrait without landmarks is skipped"
fi
phase render
score=$(in_root 'cd /tmp && parla score out.mp4') || fail "parla score out.mp4"
echo "parla score: $(tr '\n' ' ' <<<"$score" | cut -c1-200)"
phase score

# 5. A compiler, then examples/ against the installed package only.
in_root "apt-get install -y -qq --no-install-recommends cmake g++ make pkg-config" >"$work/apt-dev.log" 2>&1 ||
  { tail -30 "$work/apt-dev.log"; fail "installing cmake g++ make pkg-config"; }
phase apt_compiler
mkdir -p "$root/root/examples"
cp examples/CMakeLists.txt examples/*.cpp "$root/root/examples/"
in_root 'cd /root/examples && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j2 >/dev/null' ||
  fail "examples/ with find_package(Parla)"
for exe in render_file stream score; do [ -x "$root/root/examples/build/$exe" ] || fail "example $exe not built"; done
in_root 'cd /root/examples && g++ -std=c++20 -O1 render_file.cpp -o render_file_pc $(pkg-config --cflags --libs parla)' ||
  fail "render_file through pkg-config"
phase examples_build
line=$(in_root 'cd /tmp && /root/examples/build/render_file example.mp4') || fail "example render_file"
echo "example render_file: $line"
[[ $line == "frames=209 "* ]] || fail "render_file reported '$line'"
in_root 'cd /tmp && /root/examples/render_file_pc /usr/share/parla/sample/portrait.png /usr/share/parla/sample/speech.flac pc.mp4 >/dev/null' ||
  fail "render_file (pkg-config build)"
line=$(in_root 'cd /tmp && /root/examples/build/score example.mp4 example.json') || fail "example score"
echo "example score: $line"
for f in example.mp4 pc.mp4; do
  n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$root/tmp/$f")
  [ "$n" = 209 ] || fail "$f has $n frames"
done
phase examples_run

echo "test_deb_fresh: ok in $(( $(date +%s) - t0 )) s (${timings[*]})"
