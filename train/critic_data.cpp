// The critic's data: corpus labels, corpus clips rendered on portraits and tracked
// back, real talking faces tracked, and clean/degraded crop pairs for VQ; cached in
// <out_dir>/data/critic_data.pt so a resumed or repeated run skips the tracking.
#include "train/critic_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "critic/degrade.h"
#include "train/random.h"

namespace parla::train {
namespace {

// VQ training pairs' mouth jitter (VqCollector::add): the share of pairs that get it, and
// the bounds of the log of the saturation and the gain drawn (uniform in the log: x 0.47
// .. 2.1 and x 0.67 .. 1.49).
constexpr double kMouthJitterShare = 0.8;
constexpr double kMouthJitterLogSaturation = 0.75;
constexpr double kMouthJitterLogGain = 0.4;
constexpr std::uint64_t kMouthJitterStream = 0x6d6f757468;  // "mouth"
// ... and their grain (VqCollector::add): the share of pairs that get it and its sigma's
// bounds in grey levels (uniform): a real video's fresh noise, up to about what ffmpeg's
// `noise=alls=4:allf=t` adds (bench/vq_grain.sh), far below the Noise fault's 10..24.
constexpr double kGrainShare = 0.7;
constexpr double kGrainSigmaMin = 0.5, kGrainSigmaMax = 4.0;
constexpr std::uint64_t kGrainStream = 0x677261696e;  // "grain"
constexpr int kRenderSize = 256;      // rendered crop side for tracking back, pixels
constexpr int kRealVqStride = 3;      // every 3rd frame of a real video gives a VQ pair
constexpr int kRenderVqStride = 4;    // every 4th rendered frame
constexpr int kMaxValClips = 150;     // corpus val / test clips kept as labels
constexpr int kRenderedHeldOut = 30;  // val and test clips rendered and tracked back

torch::Tensor float_tensor(std::span<const float> values) {
  return torch::tensor(std::vector<float>(values.begin(), values.end()), torch::kFloat32);
}

std::vector<ClipRef> pick(std::vector<ClipRef> refs, size_t count, std::uint64_t seed) {
  Random rng(seed);
  for (size_t i = refs.size(); i > 1; --i) std::swap(refs[i - 1], refs[rng.below(i)]);
  if (refs.size() > count) refs.resize(count);
  return refs;
}

void save_data(const CriticData& data, const std::filesystem::path& path) {
  torch::serialize::OutputArchive archive;
  archive.write("clips", torch::tensor(static_cast<int64_t>(data.clips.size())));
  std::string names;
  for (size_t i = 0; i < data.clips.size(); ++i) {
    const CriticClip& c = data.clips[i];
    const std::string k = "c" + std::to_string(i) + "_";
    archive.write(k + "rows", c.audio_rows);
    archive.write(k + "motion", c.motion);
    archive.write(k + "prosody", c.prosody);
    archive.write(k + "weight", c.weight);
    archive.write(k + "speech", c.speech);
    archive.write(k + "meta",
                  torch::tensor({static_cast<int64_t>(c.source), static_cast<int64_t>(c.split)}));
    names += c.name + "\n";
  }
  archive.write("vq_face", data.vq.face);
  archive.write("vq_mouth", data.vq.mouth);
  archive.write("vq_label", data.vq.label);
  archive.write("vq_type", data.vq.type);
  archive.write("vq_split", data.vq.split);
  archive.write("vq_real", data.vq.real);
  if (data.vq.face_alt.defined()) {
    archive.write("vq_face_alt", data.vq.face_alt);
    archive.write("vq_mouth_alt", data.vq.mouth_alt);
  }
  std::filesystem::create_directories(path.parent_path());
  archive.save_to(path.string() + ".tmp");
  write_text_file(path.string() + ".names", names);
  std::filesystem::rename(path.string() + ".tmp", path);
}

CriticData load_data(const std::filesystem::path& path) {
  CriticData data;
  torch::serialize::InputArchive archive;
  archive.load_from(path.string());
  torch::Tensor count;
  archive.read("clips", count);
  std::ifstream names(path.string() + ".names");
  for (int64_t i = 0; i < count.item<int64_t>(); ++i) {
    CriticClip c;
    const std::string k = "c" + std::to_string(i) + "_";
    torch::Tensor meta;
    archive.read(k + "rows", c.audio_rows);
    archive.read(k + "motion", c.motion);
    archive.read(k + "prosody", c.prosody);
    archive.read(k + "weight", c.weight);
    archive.read(k + "speech", c.speech);
    archive.read(k + "meta", meta);
    c.source = static_cast<MotionSource>(meta[0].item<int64_t>());
    c.split = static_cast<Split>(meta[1].item<int64_t>());
    std::getline(names, c.name);
    data.clips.push_back(std::move(c));
  }
  archive.read("vq_face", data.vq.face);
  archive.read("vq_mouth", data.vq.mouth);
  archive.read("vq_label", data.vq.label);
  archive.read("vq_type", data.vq.type);
  archive.read("vq_split", data.vq.split);
  archive.read("vq_real", data.vq.real);
  // Caches built before the mouth jitter have no second clean samples.
  if (!archive.try_read("vq_face_alt", data.vq.face_alt) ||
      !archive.try_read("vq_mouth_alt", data.vq.mouth_alt)) {
    data.vq.face_alt = data.vq.mouth_alt = torch::Tensor();
  }
  return data;
}

VqData concat(std::vector<VqData> parts) {
  VqData out;
  auto cat = [&](auto member) {
    std::vector<torch::Tensor> list;
    for (auto& p : parts) {
      if ((p.*member).defined() && (p.*member).numel() > 0) list.push_back(p.*member);
    }
    return list.empty() ? torch::Tensor() : torch::cat(list, 0);
  };
  out.face = cat(&VqData::face);
  out.mouth = cat(&VqData::mouth);
  out.label = cat(&VqData::label);
  out.type = cat(&VqData::type);
  out.split = cat(&VqData::split);
  out.real = cat(&VqData::real);
  // Second clean samples only where every part with pairs has them, else pairs would
  // not line up with them.
  const bool all_alt = std::all_of(parts.begin(), parts.end(), [](const VqData& p) {
    return !p.label.defined() || p.label.numel() == 0 || p.face_alt.defined();
  });
  if (all_alt) out.face_alt = cat(&VqData::face_alt), out.mouth_alt = cat(&VqData::mouth_alt);
  return out;
}

}  // namespace

std::optional<video::Rig> rig_from_video(const std::filesystem::path& path) {
  try {
    video::VideoReader reader(path);
    Image frame;
    for (int i = 0; i < 10 && reader.read_frame(frame); ++i) {
      try {
        return video::Rig(frame, video::fit_face(frame, path.string()));
      } catch (const InputError&) {
      }
    }
  } catch (const InputError&) {
  }
  return std::nullopt;
}

CriticClip make_critic_clip(const MotionTrack& motion, const audio::Features& features,
                            std::span<const float> confidence, MotionSource source, Split split,
                            std::string name) {
  CriticClip c;
  const std::int64_t frames = motion.frame_count();
  c.audio_rows = critic::ls_audio_rows(features, frames);
  c.motion = critic::motion_tensor(motion);
  c.prosody = critic::mn_prosody(features, frames);
  std::vector<bool> speech = critic::speech_per_motion_frame(features, frames);
  std::vector<float> weight(frames), speech_f(frames);
  for (std::int64_t t = 0; t < frames; ++t) {
    float conf = t < static_cast<std::int64_t>(confidence.size()) ? confidence[t] : 1.f;
    weight[t] = conf * (speech[t] ? 1.f : 0.1f);
    speech_f[t] = speech[t] ? 1.f : 0.f;
  }
  c.weight = float_tensor(weight);
  c.speech = float_tensor(speech_f);
  c.source = source;
  c.split = split;
  c.name = std::move(name);
  return c;
}

MotionTrack track_of(const torch::Tensor& motion) {
  MotionTrack track;
  auto acc = motion.accessor<float, 2>();
  track.frames.resize(motion.size(0));
  for (int64_t t = 0; t < motion.size(0); ++t) {
    for (int c = 0; c < kChannelCount; ++c) track.frames[t][c] = acc[t][c];
  }
  return track;
}

void VqCollector::reset_video() {
  previous_ = Image();
  before_previous_ = Image();
  previous_seen_.reset();
}

void VqCollector::push(const Image& now, const Image& before, const Image& mouth, float label,
                       int type, Split split, bool real) {
  face_.push_back(torch::cat({critic::image_bytes(now), critic::image_bytes(before)}, 0));
  mouth_.push_back(critic::image_bytes(mouth));
  label_.push_back(label);
  type_.push_back(type);
  split_.push_back(static_cast<int64_t>(split));
  real_.push_back(real ? 1 : 0);
}

Image VqCollector::Grain::on(Image crop, std::uint64_t seed) const {
  if (sigma > 0.f) critic::add_grain(crop, sigma, seed);
  return crop;
}

void VqCollector::add_degraded(const Image& frame, const Image& before_frame,
                               const critic::FaceObservation& seen, critic::Degradation type,
                               const Image& clean_before, const Grain& grain, Split split, bool real) {
  const video::Landmarks& lm = seen.landmarks;
  const video::Landmarks& lm_before = previous_seen_->landmarks;
  Random rng(
      derive_seed(seed_, static_cast<std::uint64_t>(counter_) * 16 + static_cast<int>(type)));
  float strength = static_cast<float>(rng.uniform(0.5, 1.0));
  std::uint64_t fault_seed = rng.next_u64();
  if (type == critic::Degradation::Frozen) {
    // The tracker finds the same landmarks on a repeated frame: identical crops, its
    // grain too (a repeated frame is the same picture): the clean sample's crop before.
    push(clean_before, clean_before, grain.on(critic::crop_mouth(before_frame, lm_before), grain.mouth), 0.f,
         static_cast<int>(type), split, real);
    return;
  }
  Image now = critic::degrade_frame(frame, lm, type, strength, fault_seed, &before_frame);
  Image before = critic::degrade_frame(before_frame, lm_before, type, strength, fault_seed,
                                       before_previous_.empty() ? nullptr : &before_previous_);
  push(grain.on(critic::crop_face(now, lm), grain.now), grain.on(critic::crop_face(before, lm_before), grain.before),
       grain.on(critic::crop_mouth(now, lm), grain.mouth), 0.f, static_cast<int>(type), split, real);
}

void VqCollector::add(const Image& frame, const critic::FaceObservation& seen, Split split,
                      bool real) {
  if (previous_seen_ && previous_seen_->found && seen.found && counter_++ % stride_ == 0) {
    const video::Landmarks& lm = seen.landmarks;
    // Real mouths differ in colour and light (teeth, tongue, lighting): the open mouth of
    // most training pairs gets a random saturation and gain, the same on the frame before
    // and on the clean and the degraded sample, so neither alone tells a fault. Real
    // videos carry fresh grain and Parla's renders none, so most training pairs get
    // grain too, over the clean and the degraded crops alike. Every pair's clean sample is
    // kept once more with other draws of both, which the head learns to score alike
    // (docs/critic.md "What VQ rewards that it should not").
    Random rng(derive_seed(derive_seed(seed_, kMouthJitterStream), static_cast<std::uint64_t>(counter_)));
    Random grain_rng(derive_seed(derive_seed(seed_, kGrainStream), static_cast<std::uint64_t>(counter_)));
    auto draw_grain = [&] {
      return Grain{static_cast<float>(grain_rng.uniform(kGrainSigmaMin, kGrainSigmaMax)), grain_rng.next_u64(),
                   grain_rng.next_u64(), grain_rng.next_u64()};
    };
    const video::Landmarks& lm_before = previous_seen_->landmarks;
    // This frame and the one before with one random mouth colour and light.
    auto recolour = [&](Image& now, Image& before) {
      const auto saturation = static_cast<float>(std::exp(rng.uniform(-kMouthJitterLogSaturation, kMouthJitterLogSaturation)));
      const auto gain = static_cast<float>(std::exp(rng.uniform(-kMouthJitterLogGain, kMouthJitterLogGain)));
      critic::recolour_mouth(now, lm, saturation, gain);
      critic::recolour_mouth(before, lm_before, saturation, gain);
    };
    Image now = frame, before = previous_;
    if (split == Split::Train && !all_types_ && rng.chance(kMouthJitterShare)) recolour(now, before);
    Grain grain;
    if (split == Split::Train && !all_types_ && grain_rng.chance(kGrainShare)) grain = draw_grain();
    if (!all_types_) {
      Image alt_now = frame, alt_before = previous_;
      recolour(alt_now, alt_before);
      const Grain alt_grain = draw_grain();
      face_alt_.push_back(torch::cat({critic::image_bytes(alt_grain.on(critic::crop_face(alt_now, lm), alt_grain.now)),
                                      critic::image_bytes(alt_grain.on(critic::crop_face(alt_before, lm_before), alt_grain.before))}));
      mouth_alt_.push_back(critic::image_bytes(alt_grain.on(critic::crop_mouth(alt_now, lm), alt_grain.mouth)));
    }
    Image clean_now = grain.on(critic::crop_face(now, lm), grain.now);
    Image clean_before = grain.on(critic::crop_face(before, lm_before), grain.before);
    Image clean_mouth = grain.on(critic::crop_mouth(now, lm), grain.mouth);
    if (all_types_) {
      for (int d = 0; d < critic::kDegradationCount; ++d) {
        push(clean_now, clean_before, clean_mouth, 1.f, -1, split, real);
        add_degraded(now, before, seen, static_cast<critic::Degradation>(d), clean_before, grain,
                     split, real);
      }
    } else {
      push(clean_now, clean_before, clean_mouth, 1.f, -1, split, real);
      Random rng(derive_seed(seed_, static_cast<std::uint64_t>(counter_)));
      add_degraded(now, before, seen,
                   static_cast<critic::Degradation>(rng.below(critic::kDegradationCount)),
                   clean_before, grain, split, real);
    }
  }
  before_previous_ = std::move(previous_);
  previous_ = frame;
  previous_seen_ = seen;
}

VqData VqCollector::finish() {
  VqData d;
  if (label_.empty()) return d;
  d.face = torch::stack(face_);
  d.mouth = torch::stack(mouth_);
  d.label = float_tensor(label_);
  d.type = torch::tensor(type_, torch::kInt64);
  d.split = torch::tensor(split_, torch::kInt64);
  d.real = torch::tensor(real_, torch::kInt64);
  if (!face_alt_.empty()) d.face_alt = torch::stack(face_alt_), d.mouth_alt = torch::stack(mouth_alt_);
  return d;
}

MotionTrack render_and_track(const video::Rig& rig, const MotionTrack& labels,
                             std::vector<float>& confidence, VqCollector* vq, Split split) {
  video::Renderer renderer(rig,
                           {.framing = video::Framing::Crop, .size = kRenderSize, .threads = 1});
  critic::FaceTracker tracker(critic::AnalysisParams{.keep_crops = false});
  std::vector<critic::FaceObservation> seen;
  seen.reserve(labels.frames.size());
  if (vq) vq->reset_video();
  for (const MotionFrame& frame : labels.frames) {
    const Image& picture = renderer.render(frame);
    seen.push_back(tracker.observe(picture));
    if (vq) vq->add(picture, seen.back(), split, /*real=*/false);
  }
  return critic::estimate_motion(seen, kMotionFps, &confidence);
}

CriticData load_or_build_critic_data(const CriticTrainParams& params,
                                     const std::function<void(const std::string&)>& log) {
  const auto cache = critic_data_cache(params.out_dir);
  if (std::filesystem::exists(cache)) {
    log("data: reusing " + cache.string());
    return load_data(cache);
  }
  CriticData data;
  std::vector<VqData> vq_parts;
  CorpusReader reader(params.corpus);
  // Corpus labels with their audio.
  struct Pick {
    Split split;
    size_t count;
  };
  std::vector<std::pair<Split, std::vector<ClipRef>>> picks;
  for (Pick p : {Pick{Split::Train, static_cast<size_t>(params.label_clips)},
                 Pick{Split::Val, kMaxValClips}, Pick{Split::Test, kMaxValClips}}) {
    picks.emplace_back(p.split, pick(reader.clips(p.split), p.count,
                                     derive_seed(params.seed, 0x100 + static_cast<int>(p.split))));
  }
  for (auto& [split, refs] : picks) {
    for (size_t i = 0; i < refs.size(); ++i) {
      Clip clip = reader.load(refs[i]);
      audio::Features features = audio::compute_features(clip.audio);
      data.clips.push_back(make_critic_clip(clip.motion, features, {}, MotionSource::Labels, split,
                                            refs[i].meta.id));
    }
    log("data: " + std::to_string(refs.size()) + " " + std::string(split_name(split)) +
        " label clips");
  }
  // Portraits: the given ones plus first frames of a few real training speakers.
  std::vector<video::Rig> rigs;
  for (const auto& path : params.portraits) {
    Image portrait = video::load_image(path);
    rigs.emplace_back(portrait, video::fit_face(portrait, path.string()));
  }
  std::vector<RealClip> real =
      params.realtalk.empty() ? std::vector<RealClip>{} : real_clips(params.realtalk);
  if (params.real_clip_limit > 0 && real.size() > static_cast<size_t>(params.real_clip_limit)) {
    real.resize(params.real_clip_limit);
  }
  {
    std::vector<std::string> used;
    for (const RealClip& c : real) {
      if (rigs.size() >= params.portraits.size() + 4) break;
      if (c.split != Split::Train || std::find(used.begin(), used.end(), c.speaker) != used.end())
        continue;
      if (auto rig = rig_from_video(c.path)) rigs.push_back(*rig), used.push_back(c.speaker);
    }
  }
  if (rigs.empty()) throw InputError("critic training needs at least one portrait to render on");
  // Corpus clips rendered and tracked back (train, val, test).
  VqCollector render_vq(kRenderVqStride, derive_seed(params.seed, 0x200));
  size_t rendered = 0;
  for (auto& [split, refs] : picks) {
    size_t count = split == Split::Train
                       ? static_cast<size_t>(params.rendered_clips)
                       : std::min<size_t>(kRenderedHeldOut, params.rendered_clips);
    for (size_t i = 0; i < refs.size() && i < count; ++i) {
      Clip clip = reader.load(refs[i]);
      const video::Rig& rig = rigs[(rendered++) % rigs.size()];
      std::vector<float> confidence;
      MotionTrack tracked = render_and_track(rig, clip.motion, confidence,
                                             split == Split::Test ? nullptr : &render_vq, split);
      audio::Features features = audio::compute_features(clip.audio);
      data.clips.push_back(make_critic_clip(tracked, features, confidence, MotionSource::Tracked,
                                            split, refs[i].meta.id + "@render"));
      if ((i + 1) % 20 == 0) {
        log("data: rendered and tracked " + std::to_string(i + 1) + "/" + std::to_string(count) +
            " " + std::string(split_name(split)) + " clips");
      }
    }
  }
  vq_parts.push_back(render_vq.finish());
  // Real talking faces.
  VqCollector real_vq(kRealVqStride, derive_seed(params.seed, 0x300));
  for (size_t i = 0; i < real.size(); ++i) {
    critic::VideoAnalysis a;
    try {
      a = critic::analyze_video(real[i].path, critic::AnalysisParams{.keep_crops = false});
    } catch (const InputError& e) {
      log(std::string("data: skipped ") + e.what());
      continue;
    }
    audio::Features features = audio::compute_features(a.pcm);
    data.clips.push_back(make_critic_clip(a.motion, features, a.confidence, MotionSource::Real,
                                          real[i].split, real[i].path.filename().string()));
    video::VideoReader reader_video(real[i].path);
    Image frame;
    real_vq.reset_video();
    for (size_t f = 0; f < a.observations.size() && reader_video.read_frame(frame); ++f) {
      real_vq.add(frame, a.observations[f], real[i].split, /*real=*/true);
    }
    if ((i + 1) % 10 == 0)
      log("data: tracked " + std::to_string(i + 1) + "/" + std::to_string(real.size()) +
          " real clips");
  }
  vq_parts.push_back(real_vq.finish());
  data.vq = concat(std::move(vq_parts));
  save_data(data, cache);
  log("data: " + std::to_string(data.clips.size()) + " motion clips, " +
      std::to_string(data.vq.label.defined() ? data.vq.label.size(0) / 2 : 0) + " VQ pairs");
  return data;
}

critic::LsResult ls_evaluate_audio(critic::LsHead& head, const CriticClip& clip,
                                   const torch::Tensor& audio_rows) {
  c10::InferenceMode guard;
  torch::Tensor d = critic::ls_distances(head, audio_rows, critic::ls_mouth_rows(clip.motion));
  std::vector<float> w(clip.weight.data_ptr<float>(),
                       clip.weight.data_ptr<float>() + clip.frames());
  return critic::ls_result(head, d, w);
}

critic::LsResult ls_evaluate_mismatched(critic::LsHead& head, const CriticClip& clip,
                                        const CriticClip& other) {
  const int64_t need = clip.audio_rows.size(0);
  torch::Tensor rows =
      other.audio_rows.slice(0, 0, std::min<int64_t>(need, other.audio_rows.size(0)));
  if (rows.size(0) < need) {
    rows = torch::cat(
        {rows, other.audio_rows.slice(0, 0, 1).expand({need - rows.size(0), rows.size(1)})}, 0);
  }
  return ls_evaluate_audio(head, clip, rows);
}

critic::LsResult ls_evaluate(critic::LsHead& head, const CriticClip& clip, int shift_frames) {
  if (shift_frames == 0) return ls_evaluate_audio(head, clip, clip.audio_rows);
  // Delay (+) or advance (−) the clip's rows by 4 rows a frame, filling with silence.
  const int64_t pad = critic::kLsPadRows, rows = 4 * clip.frames(),
                shift = 4 * int64_t{shift_frames};
  torch::Tensor body = clip.audio_rows.slice(0, pad, pad + rows);
  torch::Tensor silence = clip.audio_rows.slice(0, 0, 1);
  const int64_t n = std::min<int64_t>(std::abs(shift), rows);
  torch::Tensor fill = silence.expand({n, body.size(1)});
  torch::Tensor moved = shift > 0 ? torch::cat({fill, body.slice(0, 0, rows - n)}, 0)
                                  : torch::cat({body.slice(0, n, rows), fill}, 0);
  torch::Tensor shifted = torch::cat(
      {clip.audio_rows.slice(0, 0, pad), moved, clip.audio_rows.slice(0, pad + rows)}, 0);
  return ls_evaluate_audio(head, clip, shifted);
}

float mn_evaluate(critic::MnHead& head, const torch::Tensor& motion, const torch::Tensor& prosody) {
  c10::InferenceMode guard;
  return critic::mn_overall(head, critic::mn_input(motion, prosody));
}

}  // namespace parla::train
