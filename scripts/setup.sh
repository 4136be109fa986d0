#!/usr/bin/env bash
# Installs every Debian package Parla needs, builds Release and renders the bundled
# sample to out.mp4. Safe to run again: apt and CMake skip what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ "${PARLA_SKIP_APT:-0}" != "1" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    cmake g++ make pkg-config ca-certificates dpkg-dev file \
    libtorch-dev libopenblas0-openmp \
    libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg \
    portaudio19-dev libglfw3-dev libgl-dev libegl-dev libgl1-mesa-dri libegl-mesa0 xvfb xauth \
    libpng-dev libdlib-dev libdlib-data libjpeg-dev libblas-dev liblapack-dev \
    espeak-ng libespeak-ng-dev festival festvox-kallpc16k flite flite1-dev \
    libgtest-dev libgmock-dev sox nlohmann-json3-dev \
    clang libfuzzer-14-dev \
    pulseaudio pulseaudio-utils libasound2-plugins xdotool \
    festvox-kdlpc16k festvox-us-slt-hts festvox-italp16k festvox-itapc16k festvox-ru festvox-czech-dita \
    fortunes fortunes-de fortunes-es fortunes-it fortunes-br fortunes-pl fortunes-ru fortunes-cs \
    fortunes-eo wfrench wdutch \
    chromium \
    slurm-wlm munge \
    libfftw3-dev libkissfft-dev debootstrap libtbb-dev
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

if [ "${PARLA_SKIP_SAMPLE:-0}" != "1" ]; then
  ./build/cli/parla render --sample -y -o out.mp4
fi
