// The streaming animator: PCM → 16 kHz mono → features → generator, frame by frame, as
// `parla live` drives the generator (fusion/ streaming, chunk 1 + look-ahead).
#include <deque>

#include "audio/audio.h"
#include "lib/params.h"

namespace parla {

struct Animator::State {
  std::unique_ptr<fusion::MotionGenerator> generator;
  audio::FeatureExtractor extractor;
  std::optional<pipeline::PcmResampler> resampler;  // made by the first push
  std::unique_ptr<video::Renderer> renderer;         // null without a portrait
  std::vector<float> pcm16k;                          // scratch, per push
  audio::Features features;                           // scratch, per push
  MotionTrack emitted;                                // scratch: the generator's output, clamped
  std::deque<MotionFrame> ready;
  std::vector<std::uint8_t> rgba;
  std::int64_t pulled = 0;
  std::int64_t pushed_16k = 0;
  std::int64_t rendered = 0;
  bool finished = false;

  // Features of `pcm16k` through the generator; finished frames onto `ready`.
  void run(bool last) {
    extractor.push(pcm16k, features);
    pushed_16k += static_cast<std::int64_t>(pcm16k.size());
    pcm16k.clear();
    if (last) extractor.finish(features);
    generator->push(features.frames, emitted.frames);
    features.frames.clear();
    if (last) generator->finish(emitted.frames);
    emitted.clamp_to_ranges();
    ready.insert(ready.end(), emitted.frames.begin(), emitted.frames.end());
    emitted.frames.clear();
  }
};

Animator::Animator(const Params& params, const std::filesystem::path& portrait)
    : state_(std::make_unique<State>()) {
  lib::check_params(params);
  fusion::GeneratorParams g = lib::generator_params(params, {});
  g.chunk_frames = params.chunk_frames;
  g.lookahead_frames = params.lookahead_frames;
  state_->generator = fusion::make_generator(params.generator, g);
  if (!portrait.empty()) state_->renderer = lib::make_renderer(params, portrait);
}

Animator::~Animator() = default;
Animator::Animator(Animator&&) noexcept = default;
Animator& Animator::operator=(Animator&&) noexcept = default;

void Animator::push(std::span<const float> samples, int sample_rate, int channels) {
  State& s = *state_;
  if (s.finished) throw InputError("Animator::push after finish()");
  if (!s.resampler) {
    s.resampler.emplace(sample_rate, channels);
  } else if (s.resampler->sample_rate() != sample_rate || s.resampler->channels() != channels) {
    throw InputError("Animator::push: the stream is " + std::to_string(s.resampler->sample_rate()) + " Hz, " +
                     std::to_string(s.resampler->channels()) + " channel(s); got " + std::to_string(sample_rate) +
                     " Hz, " + std::to_string(channels));
  }
  s.resampler->push(samples, s.pcm16k);
  s.run(/*last=*/false);
}

void Animator::finish() {
  State& s = *state_;
  if (s.finished) return;
  s.finished = true;
  if (s.resampler) s.resampler->finish(s.pcm16k);
  s.run(/*last=*/true);
}

std::optional<MotionFrame> Animator::pull() {
  State& s = *state_;
  if (s.ready.empty()) return std::nullopt;
  MotionFrame frame = s.ready.front();
  s.ready.pop_front();
  ++s.pulled;
  return frame;
}

std::size_t Animator::pull_all(std::vector<MotionFrame>& out) {
  State& s = *state_;
  const std::size_t n = s.ready.size();
  out.insert(out.end(), s.ready.begin(), s.ready.end());
  s.ready.clear();
  s.pulled += static_cast<std::int64_t>(n);
  return n;
}

Picture Animator::render(const MotionFrame& frame) {
  State& s = *state_;
  if (!s.renderer) throw InputError("Animator::render: this animator was made without a portrait");
  const Image& picture = s.renderer->render(frame);
  lib::to_rgba(picture, s.rgba);
  const std::int64_t index = s.rendered++;
  return {picture.width, picture.height, s.rgba.data(), index, index / kMotionFps};
}

int Animator::width() const { return state_->renderer ? state_->renderer->width() : 0; }
int Animator::height() const { return state_->renderer ? state_->renderer->height() : 0; }

double Animator::lookahead_seconds() const {
  return state_->generator->lookahead_seconds() +
         static_cast<double>(state_->extractor.latency_samples()) / audio::kSampleRate;
}

std::int64_t Animator::frames_pulled() const { return state_->pulled; }
std::int64_t Animator::samples_pushed() const { return state_->pushed_16k; }

}  // namespace parla
