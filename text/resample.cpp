// Resampling of mono float PCM through libswresample (engine rates → 16 kHz).
extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <cmath>
#include <memory>

#include "text/text.h"

namespace parla::text {
namespace {

struct SwrDeleter {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;

}  // namespace

std::vector<float> resample(std::span<const float> audio, int from_rate, int to_rate) {
  if (from_rate == to_rate || audio.empty()) return {audio.begin(), audio.end()};
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  SwrContext* raw = nullptr;
  if (swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, to_rate, &mono, AV_SAMPLE_FMT_FLT,
                          from_rate, 0, nullptr) < 0) {
    throw Error("resample: cannot configure libswresample");
  }
  SwrPtr swr(raw);
  av_opt_set_int(swr.get(), "filter_size", 32, 0);
  av_opt_set_int(swr.get(), "phase_shift", 10, 0);
  if (swr_init(swr.get()) < 0) throw Error("resample: cannot initialise libswresample");
  auto expected = static_cast<std::int64_t>(
      std::llround(static_cast<double>(audio.size()) * to_rate / from_rate));
  std::vector<float> out(static_cast<size_t>(expected) + 256);
  auto* out_ptr = reinterpret_cast<std::uint8_t*>(out.data());
  const auto* in_ptr = reinterpret_cast<const std::uint8_t*>(audio.data());
  int produced = swr_convert(swr.get(), &out_ptr, static_cast<int>(out.size()), &in_ptr,
                             static_cast<int>(audio.size()));
  if (produced < 0) throw Error("resample: conversion failed");
  auto* tail_ptr = reinterpret_cast<std::uint8_t*>(out.data() + produced);
  int tail = swr_convert(swr.get(), &tail_ptr, static_cast<int>(out.size()) - produced, nullptr, 0);
  if (tail > 0) produced += tail;
  out.resize(static_cast<size_t>(produced));
  out.resize(static_cast<size_t>(expected), 0.f);  // exact length: time alignment is preserved
  return out;
}

}  // namespace parla::text
