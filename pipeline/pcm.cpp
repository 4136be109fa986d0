// PCM held in memory: written as a float WAV for the file-based stages, or converted
// to 16 kHz mono as it streams in (the library's Animator).
#include <algorithm>
#include <fstream>
#include <string>

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include "audio/audio.h"
#include "audio/av_handles.h"
#include "pipeline/pipeline.h"

namespace parla::pipeline {
namespace {

void put_u32(std::ostream& out, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) out.put(static_cast<char>(v >> (8 * k)));
}
void put_u16(std::ostream& out, std::uint16_t v) {
  out.put(static_cast<char>(v));
  out.put(static_cast<char>(v >> 8));
}

}  // namespace

void write_float_wav(const std::filesystem::path& path, std::span<const float> pcm, int sample_rate,
                     int channels) {
  std::ofstream out(path, std::ios::binary);
  auto data_bytes = static_cast<std::uint32_t>(pcm.size() * 4);
  out.write("RIFF", 4);
  put_u32(out, 36 + data_bytes);
  out.write("WAVEfmt ", 8);
  put_u32(out, 16);
  put_u16(out, 3);  // IEEE float
  put_u16(out, static_cast<std::uint16_t>(channels));
  put_u32(out, static_cast<std::uint32_t>(sample_rate));
  put_u32(out, static_cast<std::uint32_t>(sample_rate * channels * 4));
  put_u16(out, static_cast<std::uint16_t>(channels * 4));
  put_u16(out, 32);
  out.write("data", 4);
  put_u32(out, data_bytes);
  out.write(reinterpret_cast<const char*>(pcm.data()), static_cast<std::streamsize>(data_bytes));
  if (!out) throw Error("cannot write the temporary audio " + quoted(path));
}

struct PcmResampler::State {
  audio::av::SwrPtr swr;
  int sample_rate = 0;
  int channels = 0;
};

PcmResampler::PcmResampler(int sample_rate, int channels) : state_(std::make_unique<State>()) {
  if (sample_rate < 8000 || sample_rate > 384000) {
    throw InputError("PCM sample rate " + std::to_string(sample_rate) + " Hz is outside 8000..384000");
  }
  if (channels < 1 || channels > audio::kMaxSourceChannels) {
    throw InputError("PCM with " + std::to_string(channels) + " channels: 1.." +
                     std::to_string(audio::kMaxSourceChannels) + " are read");
  }
  state_->sample_rate = sample_rate;
  state_->channels = channels;
  AVChannelLayout in_layout{}, out_layout{};
  av_channel_layout_default(&in_layout, channels);
  av_channel_layout_default(&out_layout, 1);
  SwrContext* swr = nullptr;
  audio::av::check(swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_FLT, audio::kSampleRate, &in_layout,
                                       AV_SAMPLE_FMT_FLT, sample_rate, 0, nullptr),
                   "cannot set up the PCM resampler");
  state_->swr.reset(swr);
  // Downmix by averaging, as the decoder does (no +3 dB centre boost, no clipping).
  if (channels > 1) {
    std::vector<double> matrix(channels, 1.0 / channels);
    audio::av::check(swr_set_matrix(swr, matrix.data(), channels), "cannot set the PCM downmix");
  }
  audio::av::check(swr_init(swr), "cannot start the PCM resampler");
  av_channel_layout_uninit(&in_layout);
  av_channel_layout_uninit(&out_layout);
}

PcmResampler::~PcmResampler() = default;
int PcmResampler::sample_rate() const { return state_->sample_rate; }
int PcmResampler::channels() const { return state_->channels; }

namespace {

// Converts `in_frames` frames at `in` (nullptr: flush the delayed tail) onto `out`.
void convert(SwrContext* swr, const float* in, int in_frames, std::vector<float>& out) {
  const int capacity = swr_get_out_samples(swr, in_frames);
  const size_t at = out.size();
  out.resize(at + static_cast<size_t>(std::max(capacity, 0)));
  auto* out_data = reinterpret_cast<std::uint8_t*>(out.data() + at);
  const auto* in_data = reinterpret_cast<const std::uint8_t*>(in);
  int got = audio::av::check(swr_convert(swr, &out_data, capacity, in ? &in_data : nullptr, in_frames),
                             "cannot resample PCM");
  out.resize(at + static_cast<size_t>(got));
}

}  // namespace

void PcmResampler::push(std::span<const float> interleaved, std::vector<float>& out) {
  if (interleaved.size() % state_->channels != 0) {
    throw InputError("PCM of " + std::to_string(state_->channels) + " channels must come in whole frames (" +
                     std::to_string(interleaved.size()) + " samples given)");
  }
  if (interleaved.empty()) return;
  convert(state_->swr.get(), interleaved.data(), static_cast<int>(interleaved.size() / state_->channels), out);
}

void PcmResampler::finish(std::vector<float>& out) { convert(state_->swr.get(), nullptr, 0, out); }

}  // namespace parla::pipeline
