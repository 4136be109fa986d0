#include "lib/params.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <string>
#include <system_error>

namespace parla::lib {
namespace {

void check_range(double value, double lo, double hi, const char* name) {
  if (!(value >= lo && value <= hi)) {
    char message[160];
    std::snprintf(message, sizeof message, "parameter %s = %g is outside %g..%g", name, value, lo, hi);
    throw InputError(message);
  }
}

bool is_sample_portrait(const std::filesystem::path& portrait) {
  std::error_code error;
  return std::filesystem::equivalent(portrait, sample_portrait(), error) && !error;
}

}  // namespace

void check_params(const Params& p) {
  if (p.size != 0) {
    check_range(p.size, 64, 4096, "size");
    if (p.size % 2) throw InputError("parameter size must be even (H.264 needs even dimensions), got " +
                                     std::to_string(p.size));
  }
  if (p.full_frame && p.size != 0) throw InputError("parameters size and full_frame exclude each other");
  check_range(p.face, 0, 64, "face");
  check_range(p.fps, 1, 120, "fps");
  check_range(p.steps, 1, 50, "steps");
  check_range(static_cast<double>(p.seed), -1, static_cast<double>(1LL << 53), "seed");
  check_range(p.jaw_gain, 0, 3, "jaw_gain");
  check_range(p.head_motion, 0, 3, "head_motion");
  check_range(p.expression, 0, 3, "expression");
  if (p.blink_rate != -1) check_range(p.blink_rate, 0, 60, "blink_rate");
  check_range(p.chunk_frames, 1, 49, "chunk_frames");
  check_range(p.lookahead_frames, 1, 49, "lookahead_frames");
  if (!p.landmarks.empty()) check_input_file(p.landmarks, "landmarks");
  if (!p.weights.empty()) check_input_file(p.weights, "weights");
  if (p.experts != "on" && p.experts != "off" && p.experts != "uniform") {
    throw InputError("parameter experts must be \"on\", \"off\" or \"uniform\", not \"" + p.experts + "\"");
  }
  for (float s : p.expert_scale) check_range(s, 0, 4, "expert_scale");
}

fusion::GeneratorParams generator_params(const Params& p, const std::filesystem::path& audio) {
  fusion::GeneratorParams g;
  g.seed = p.seed >= 0 ? static_cast<std::uint64_t>(p.seed) : audio.empty() ? 0 : pipeline::content_seed(audio);
  g.steps = p.steps;
  g.weights = p.weights;
  g.style.jaw_gain = p.jaw_gain;
  g.style.head_motion = p.head_motion;
  g.style.expression = p.expression;
  g.blink_rate = p.blink_rate;
  g.fusion = p.experts == "off"       ? fusion::GeneratorParams::Fusion::Off
             : p.experts == "uniform" ? fusion::GeneratorParams::Fusion::Uniform
                                      : fusion::GeneratorParams::Fusion::Gate;
  g.experts_dir = p.experts_dir;
  g.expert_scale = p.expert_scale;
  g.base_jaw = p.base_jaw;
  return g;
}

video::RenderParams render_params(const Params& p) {
  video::RenderParams r;
  r.framing = p.full_frame ? video::Framing::Full : video::Framing::Crop;
  r.size = p.size;
  return r;
}

video::Mp4Params mp4_params(const Params& p) {
  video::Mp4Params mp4;
  mp4.fps = p.fps;
  mp4.crf = p.crf;
  mp4.preset = p.preset;
  mp4.tune = p.tune;
  mp4.encoder_threads = p.encoder_threads;
  mp4.queue_frames = 8;  // as parla render: the caller renders while a thread encodes
  video::check_encoder_settings(mp4);
  return mp4;
}

std::unique_ptr<video::Renderer> make_renderer(const Params& params, const std::filesystem::path& portrait_path) {
  check_input_file(portrait_path, "portrait");
  Image portrait = video::load_image(portrait_path);
  // The sample ships its dlib fit: it renders without loading dlib's model.
  video::FaceFit fit = is_sample_portrait(portrait_path) && params.landmarks.empty() && params.face == 0
                           ? video::read_landmarks_file(data_dir() / "sample" / "portrait.landmarks.json",
                                                        portrait.width, portrait.height)
                           : pipeline::fit_portrait(portrait, portrait_path, params.landmarks, params.face);
  return std::make_unique<video::Renderer>(video::Rig(std::move(portrait), fit), render_params(params));
}

void to_rgba(const Image& picture, std::vector<std::uint8_t>& rgba) {
  const size_t pixels = static_cast<size_t>(picture.width) * picture.height;
  rgba.resize(pixels * 4);
  const std::uint8_t* in = picture.rgb.data();
  std::uint8_t* out = rgba.data();
  for (size_t i = 0; i < pixels; ++i, in += 3, out += 4) {
    out[0] = in[0];
    out[1] = in[1];
    out[2] = in[2];
    out[3] = 255;
  }
}

TempAudio::TempAudio(const Pcm& pcm) {
  if (pcm.channels < 1 || pcm.channels > 8) {
    throw InputError("PCM with " + std::to_string(pcm.channels) + " channels: 1..8 are read");
  }
  check_range(pcm.sample_rate, 8000, 384000, "Pcm::sample_rate");
  if (pcm.samples.empty()) throw InputError("PCM audio has no samples");
  if (pcm.samples.size() % static_cast<size_t>(pcm.channels) != 0) {
    throw InputError("PCM of " + std::to_string(pcm.channels) + " channels must hold whole frames");
  }
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("parla-pcm-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir_);
  path_ = dir_ / "speech.wav";
  try {
    pipeline::write_float_wav(path_, pcm.samples, pcm.sample_rate, pcm.channels);
  } catch (...) {
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
    throw;
  }
}

TempAudio::~TempAudio() {
  std::error_code error;
  std::filesystem::remove_all(dir_, error);
}

}  // namespace parla::lib
