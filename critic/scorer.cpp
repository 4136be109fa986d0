// The Critic: loads the three heads once and turns their outputs into the figures of a
// ScoreReport — LS offset search (SyncNet's LSE-C / LSE-D), MN windows and statistics,
// VQ per frame — overall and per second.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>

#include "critic/critic.h"
#include "critic/heads.h"

namespace parla::critic {
namespace {

constexpr int kOffsets = 2 * kMaxOffsetFrames + 1;
constexpr int kFps = 25;
constexpr float kSilenceWeight = 0.1f;  // LS weight of a frame without speech


float median_of(std::vector<float> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

int seconds_of(std::int64_t motion_frames) {
  return static_cast<int>((motion_frames + kFps - 1) / kFps);
}

// Offset curve of the frames [begin, end) by their weights, indexed by the reported
// offset + 15 (distance column k pairs the mouth at t with audio at t + k, an audio
// lead of −k); empty when the frames weigh 0.
std::vector<float> offset_curve(const torch::Tensor& distances, std::span<const float> weights,
                                std::int64_t begin, std::int64_t end) {
  std::vector<double> sum(kOffsets, 0.0);
  double total = 0;
  auto d = distances.accessor<float, 2>();
  for (std::int64_t t = begin; t < end; ++t) {
    if (weights[t] <= 0) continue;
    for (int k = 0; k < kOffsets; ++k) sum[k] += weights[t] * d[t][k];
    total += weights[t];
  }
  if (total <= 0) return {};
  std::vector<float> curve(kOffsets);
  for (int k = 0; k < kOffsets; ++k) curve[kOffsets - 1 - k] = static_cast<float>(sum[k] / total);
  return curve;
}

struct CurveFigures {
  int best = kMaxOffsetFrames;  // index of the minimum
  float confidence = 0;         // median − min
  float confidence_at_zero = 0; // median − distance at offset 0
};

CurveFigures curve_figures(const std::vector<float>& curve) {
  CurveFigures f;
  if (curve.empty()) return f;
  f.best = static_cast<int>(std::min_element(curve.begin(), curve.end()) - curve.begin());
  float median = median_of(curve);
  f.confidence = median - curve[f.best];
  f.confidence_at_zero = median - curve[kMaxOffsetFrames];
  return f;
}

double pearson(std::span<const double> a, std::span<const double> b) {
  const size_t n = std::min(a.size(), b.size());
  if (n < 3) return 0;
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

}  // namespace

MnStats motion_statistics(const MotionTrack& motion, const std::vector<bool>& speech,
                          std::span<const float> energy_db) {
  MnStats s;
  const std::int64_t n = motion.frame_count();
  if (n < 4) return s;
  const double fps = motion.fps;
  // Blinks: either lid past 0.5, ended when both are back under 0.3.
  int blinks = 0;
  bool closed = false;
  for (const auto& f : motion.frames) {
    float lid = std::max(f[index(Channel::EyeBlinkLeft)], f[index(Channel::EyeBlinkRight)]);
    if (!closed && lid > 0.5f) closed = true, ++blinks;
    if (closed && lid < 0.3f) closed = false;
  }
  s.blinks_per_minute = blinks / (n / fps / 60.0);
  // Head angular speed and jerk.
  auto angle = [&](std::int64_t t, int c) { return motion.frames[t][index(Channel::HeadYaw) + c]; };
  std::vector<double> speed(n, 0.0), loudness(n, 0.0);
  double energy = 0, jerk = 0;
  for (std::int64_t t = 1; t < n; ++t) {
    double sq = 0;
    for (int c = 0; c < 3; ++c) sq += std::pow((angle(t, c) - angle(t - 1, c)) * fps, 2);
    speed[t] = std::sqrt(sq);
    energy += sq;
  }
  speed[0] = speed[1];
  for (std::int64_t t = 3; t < n; ++t) {
    double sq = 0;
    for (int c = 0; c < 3; ++c) {
      double third = angle(t, c) - 3 * angle(t - 1, c) + 3 * angle(t - 2, c) - angle(t - 3, c);
      sq += std::pow(third * fps * fps * fps, 2);
    }
    jerk += sq;
  }
  s.head_energy = energy / (n - 1);
  s.head_jerk = std::sqrt(jerk / (n - 3));
  // Speech against silence.
  double speech_speed = 0, silence_speed = 0, silence_jaw = 0;
  int speech_frames = 0, silence_frames = 0;
  for (std::int64_t t = 0; t < n; ++t) {
    bool talking = t < static_cast<std::int64_t>(speech.size()) && speech[t];
    if (talking) {
      speech_speed += speed[t], ++speech_frames;
    } else {
      silence_speed += speed[t], ++silence_frames;
      silence_jaw += motion.frames[t][index(Channel::JawOpen)];
    }
    loudness[t] = t < static_cast<std::int64_t>(energy_db.size()) ? energy_db[t] : -100.0;
  }
  if (speech_frames > 0 && silence_frames > 0 && speech_speed > 0) {
    s.stillness_in_silence = (silence_speed / silence_frames) / (speech_speed / speech_frames);
  }
  if (silence_frames > 0) s.mouth_in_silence = silence_jaw / silence_frames;
  s.head_prosody_correlation = pearson(speed, loudness);
  return s;
}

torch::Tensor ls_audio_embeddings(LsHead& head, const torch::Tensor& audio_rows) {
  const std::int64_t frames = (audio_rows.size(0) - 2 * kLsPadRows) / 4;
  torch::Tensor seq = head->audio_sequence(audio_rows);
  torch::Tensor ext = torch::arange(-kMaxOffsetFrames, frames + kMaxOffsetFrames, torch::kInt64);
  return head->embed_audio(seq, ext + (kLsPadRows / 4 - 2));  // [T + 30, 64]
}

torch::Tensor ls_distances(LsHead& head, const torch::Tensor& audio_rows,
                           const torch::Tensor& mouth_rows) {
  return ls_distances_from(head, ls_audio_embeddings(head, audio_rows), mouth_rows);
}

torch::Tensor ls_distances_from(LsHead& head, const torch::Tensor& audio,
                                const torch::Tensor& mouth_rows) {
  const std::int64_t frames = mouth_rows.size(0);
  torch::Tensor t = torch::arange(frames, torch::kInt64);
  torch::Tensor mouth = head->embed_mouth(ls_mouth_windows(mouth_rows, t));  // [T, 64]
  torch::Tensor idx = t.unsqueeze(1) + torch::arange(kOffsets, torch::kInt64).unsqueeze(0);
  return (audio.index_select(0, idx.flatten()).view({frames, kOffsets, -1}) - mouth.unsqueeze(1))
      .norm(2, 2)
      .contiguous();  // [T, 31]
}

LsResult ls_result(LsHead& head, const torch::Tensor& distances, std::span<const float> weights) {
  LsResult r;
  const std::int64_t frames = distances.size(0);
  r.offset_curve = offset_curve(distances, weights, 0, frames);
  if (r.offset_curve.empty()) r.offset_curve.assign(kOffsets, 0.f);
  CurveFigures f = curve_figures(r.offset_curve);
  auto to_score = [&](float conf0) { return calibrated_score(head->calibration, conf0); };
  r.offset_frames = f.best - kMaxOffsetFrames;
  r.confidence = f.confidence;
  r.min_distance = r.offset_curve[f.best];
  r.distance_at_zero = r.offset_curve[kMaxOffsetFrames];
  r.confidence_at_zero = f.confidence_at_zero;
  r.score = to_score(f.confidence_at_zero);
  // Per second: a 3-second window centred on each second steadies the estimate.
  for (int s = 0; s < seconds_of(frames); ++s) {
    std::int64_t begin = std::max<std::int64_t>(0, s * kFps - kFps);
    std::int64_t end = std::min<std::int64_t>(frames, (s + 2) * kFps);
    CurveFigures fs = curve_figures(offset_curve(distances, weights, begin, end));
    r.per_second_score.push_back(to_score(fs.confidence_at_zero));
    r.per_second_confidence.push_back(fs.confidence);
    r.per_second_offset.push_back(fs.best - kMaxOffsetFrames);
  }
  return r;
}

float mn_overall(MnHead& head, const torch::Tensor& x, std::vector<float>* per_second) {
  const std::int64_t frames = x.size(1);
  // Windows of up to kMnMaxWindow frames tile the track (the last one ends at the end).
  std::vector<std::int64_t> starts;
  for (std::int64_t s = 0; s < frames; s += kMnMaxWindow) {
    starts.push_back(std::min<std::int64_t>(s, std::max<std::int64_t>(0, frames - kMnMaxWindow)));
  }
  double weighted = 0, total = 0;
  std::vector<torch::Tensor> window_features;
  for (std::int64_t start : starts) {
    std::int64_t length = std::min<std::int64_t>(kMnMaxWindow, frames - start);
    torch::Tensor mask = torch::ones({1, length});
    torch::Tensor h = head->frame_features(x.slice(1, start, start + length).unsqueeze(0), mask);
    window_features.push_back(h);
    weighted += calibrated_score(head->calibration, head->pool_logit(h, mask).item<float>()) * length;
    total += length;
  }
  if (per_second) {
    // The frames within ±2 s of each second's centre, pooled from its window.
    for (int s = 0; s < seconds_of(frames); ++s) {
      std::int64_t centre = std::min<std::int64_t>(frames - 1, s * kFps + kFps / 2);
      size_t w = 0;
      while (w + 1 < starts.size() && starts[w + 1] <= centre) ++w;
      const torch::Tensor& h = window_features[w];
      torch::Tensor mask = torch::zeros({1, h.size(2)});
      std::int64_t begin = std::max<std::int64_t>(0, centre - starts[w] - kMnWindow / 2);
      std::int64_t end = std::min<std::int64_t>(h.size(2), centre - starts[w] + kMnWindow / 2);
      mask.slice(1, begin, end).fill_(1.f);
      per_second->push_back(calibrated_score(head->calibration, head->pool_logit(h, mask).item<float>()));
    }
  }
  return static_cast<float>(weighted / total);
}

struct ClipAudio::State {
  torch::Tensor audio;           // [T + 30, 64] LS audio embeddings
  torch::Tensor prosody;         // [T, 3]
  std::vector<float> weights;    // LS frame weights
  std::vector<bool> speech;      // per motion frame
  std::vector<float> energy_db;  // per motion frame
};

ClipAudio::ClipAudio() : state_(std::make_unique<State>()) {}
ClipAudio::~ClipAudio() = default;
ClipAudio::ClipAudio(ClipAudio&&) noexcept = default;
ClipAudio& ClipAudio::operator=(ClipAudio&&) noexcept = default;
std::int64_t ClipAudio::frames() const { return state_->prosody.size(0); }

struct Critic::State {
  LsHead ls;
  MnHead mn;
  VqHead vq;
};

Critic::Critic(CriticParams params) : state_(std::make_unique<State>()) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  if (params.threads > 0) torch::set_num_threads(params.threads);
  std::filesystem::path dir = params.models_dir.empty()
                                  ? data_dir() / "models" / "critic"
                                  : params.models_dir;
  load_head(*state_->ls, "ls", dir / "ls.pt");
  load_head(*state_->mn, "mn", dir / "mn.pt");
  load_head(*state_->vq, "vq", dir / "vq.pt");
}

Critic::~Critic() = default;

namespace {

std::vector<float> ls_weights(const audio::Features& features, std::int64_t frames,
                              std::span<const float> confidence) {
  std::vector<bool> speech = speech_per_motion_frame(features, frames);
  std::vector<float> weights(frames);
  for (std::int64_t i = 0; i < frames; ++i) {
    float c = i < static_cast<std::int64_t>(confidence.size()) ? confidence[i] : 1.f;
    weights[i] = c * (speech[i] ? 1.f : kSilenceWeight);
  }
  return weights;
}

LsResult score_ls_weighted(LsHead& head, const MotionTrack& motion,
                           const audio::Features& features, std::span<const float> confidence) {
  const std::int64_t frames = motion.frame_count();
  if (frames < kLsMotionFrames) throw InputError("too short to score lip sync (under 0.2 s)");
  c10::InferenceMode guard;
  torch::Tensor distances =
      ls_distances(head, ls_audio_rows(features, frames), ls_mouth_rows(motion));
  return ls_result(head, distances, ls_weights(features, frames, confidence));
}

std::vector<float> energy_per_motion_frame(const audio::Features& features, std::int64_t frames) {
  std::vector<float> energy(frames, -100.f);
  const auto rows = static_cast<std::int64_t>(features.frames.size());
  for (std::int64_t t = 0; t < frames; ++t) {
    float sum = 0;
    int n = 0;
    for (std::int64_t i = 4 * t; i < 4 * t + 4 && i < rows; ++i) sum += features.frames[i].energy_db, ++n;
    if (n) energy[t] = sum / n;
  }
  return energy;
}

MnResult score_mn_windows(MnHead& head, const MotionTrack& motion, const audio::Features& features) {
  MnResult r;
  const std::int64_t frames = motion.frame_count();
  if (frames < kLsMotionFrames) throw InputError("too short to score motion (under 0.2 s)");
  c10::InferenceMode guard;
  r.score = mn_overall(head, mn_input(motion_tensor(motion), mn_prosody(features, frames)),
                       &r.per_second_score);
  r.stats = motion_statistics(motion, speech_per_motion_frame(features, frames),
                              energy_per_motion_frame(features, frames));
  return r;
}

VqResult score_vq_frames(VqHead& head, std::span<const FaceObservation> obs, double source_fps) {
  VqResult r;
  std::vector<int> frames;
  for (size_t i = 1; i < obs.size(); ++i) {
    if (obs[i].found && obs[i - 1].found && !obs[i].face_crop.empty() &&
        !obs[i - 1].face_crop.empty() && !obs[i].mouth_crop.empty()) {
      frames.push_back(static_cast<int>(i));
    }
  }
  if (frames.empty()) return r;
  c10::InferenceMode guard;
  std::vector<float> quality(frames.size());
  constexpr size_t kBatch = 128;
  double flicker = 0;
  for (size_t b = 0; b < frames.size(); b += kBatch) {
    std::vector<torch::Tensor> faces, mouths;
    for (size_t j = b; j < std::min(frames.size(), b + kBatch); ++j) {
      const auto& now = obs[frames[j]];
      const auto& before = obs[frames[j] - 1];
      faces.push_back(vq_face_input(now.face_crop, before.face_crop));
      mouths.push_back(vq_mouth_input(now.mouth_crop));
      flicker += faces.back().slice(0, 3).abs().mean().item<float>() * 64.f;
    }
    torch::Tensor logits = head->forward(torch::stack(faces), torch::stack(mouths));
    for (size_t j = 0; j < static_cast<size_t>(logits.size(0)); ++j) {
      quality[b + j] = calibrated_score(head->calibration, logits[j].item<float>()) / 100.f;
    }
  }
  r.flicker = static_cast<float>(flicker / frames.size());
  r.score = 100.f * std::accumulate(quality.begin(), quality.end(), 0.f) / quality.size();
  const double fps = source_fps > 0 ? source_fps : kFps;
  const int seconds = std::max(1, static_cast<int>(std::ceil(obs.size() / fps)));
  std::vector<double> sum(seconds, 0.0);
  std::vector<int> count(seconds, 0);
  for (size_t j = 0; j < frames.size(); ++j) {
    int s = std::min(seconds - 1, static_cast<int>(frames[j] / fps));
    sum[s] += quality[j], ++count[s];
  }
  for (int s = 0; s < seconds; ++s) {
    r.per_second_score.push_back(count[s] ? static_cast<float>(100.0 * sum[s] / count[s]) : r.score);
  }
  // The worst frames, at least a second apart.
  std::vector<size_t> order(frames.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return quality[a] < quality[b]; });
  for (size_t j : order) {
    if (r.worst_frames.size() >= 5) break;
    bool near = std::any_of(r.worst_frames.begin(), r.worst_frames.end(),
                            [&](int w) { return std::abs(w - frames[j]) < fps; });
    if (!near) r.worst_frames.push_back(frames[j]);
  }
  return r;
}

void rank_worst_seconds(ScoreReport& report) {
  const size_t seconds = report.ls.per_second_score.size();
  std::vector<std::pair<float, int>> mean;
  for (size_t s = 0; s < seconds; ++s) {
    float sum = report.ls.per_second_score[s], n = 1;
    if (s < report.mn.per_second_score.size()) sum += report.mn.per_second_score[s], ++n;
    if (report.vq && s < report.vq->per_second_score.size()) sum += report.vq->per_second_score[s], ++n;
    mean.emplace_back(sum / n, static_cast<int>(s));
  }
  std::sort(mean.begin(), mean.end());
  for (size_t i = 0; i < mean.size() && i < 3; ++i) report.worst_seconds.push_back(mean[i].second);
}

}  // namespace

ClipAudio Critic::prepare_audio(const audio::Features& features, std::int64_t motion_frames) {
  if (motion_frames < kLsMotionFrames) throw InputError("too short to score (under 0.2 s)");
  c10::InferenceMode guard;
  ClipAudio clip;
  clip.state_->audio = ls_audio_embeddings(state_->ls, ls_audio_rows(features, motion_frames));
  clip.state_->prosody = mn_prosody(features, motion_frames);
  clip.state_->weights = ls_weights(features, motion_frames, {});
  clip.state_->speech = speech_per_motion_frame(features, motion_frames);
  clip.state_->energy_db = energy_per_motion_frame(features, motion_frames);
  return clip;
}

namespace {
void check_frames(const MotionTrack& motion, const ClipAudio& audio) {
  if (motion.frame_count() != audio.frames()) {
    throw InputError("the motion has " + std::to_string(motion.frame_count()) +
                     " frames, its prepared audio " + std::to_string(audio.frames()));
  }
}
}  // namespace

LsResult Critic::score_ls(const MotionTrack& motion, const ClipAudio& audio) {
  check_frames(motion, audio);
  c10::InferenceMode guard;
  return ls_result(state_->ls, ls_distances_from(state_->ls, audio.state_->audio, ls_mouth_rows(motion)),
                   audio.state_->weights);
}

MnResult Critic::score_mn(const MotionTrack& motion, const ClipAudio& audio) {
  check_frames(motion, audio);
  c10::InferenceMode guard;
  MnResult r;
  r.score = mn_overall(state_->mn, mn_input(motion_tensor(motion), audio.state_->prosody), &r.per_second_score);
  r.stats = motion_statistics(motion, audio.state_->speech, audio.state_->energy_db);
  return r;
}

LsResult Critic::score_ls(const MotionTrack& motion, const audio::Features& features) {
  return score_ls_weighted(state_->ls, motion, features, {});
}

LsResult Critic::score_ls(const VideoAnalysis& analysis, const audio::Features& features) {
  return score_ls_weighted(state_->ls, analysis.motion, features, analysis.confidence);
}

MnResult Critic::score_mn(const MotionTrack& motion, const audio::Features& features) {
  return score_mn_windows(state_->mn, motion, features);
}

VqResult Critic::score_vq(std::span<const FaceObservation> observations, double fps) {
  return score_vq_frames(state_->vq, observations, fps);
}

ScoreReport Critic::score_motion(const MotionTrack& motion, const audio::Features& features,
                                 const std::string& name) {
  MotionTrack track = motion.fps == kMotionFps ? motion : motion.resampled(kMotionFps);
  ScoreReport r;
  r.name = name;
  r.seconds = track.duration_seconds();
  r.ls = score_ls(track, features);
  r.mn = score_mn(track, features);
  r.energy_db = energy_per_motion_frame(features, track.frame_count());
  r.motion = std::move(track);
  rank_worst_seconds(r);
  return r;
}

ScoreReport Critic::score(const VideoAnalysis& analysis, const std::string& name) {
  audio::Features features = audio::compute_features(analysis.pcm);
  ScoreReport r;
  r.name = name;
  r.seconds = analysis.motion.duration_seconds();
  r.face_coverage = analysis.face_coverage;
  r.ls = score_ls(analysis, features);
  r.mn = score_mn(analysis.motion, features);
  r.vq = score_vq_frames(state_->vq, analysis.observations, analysis.source_fps);
  r.energy_db = energy_per_motion_frame(features, analysis.motion.frame_count());
  r.motion = analysis.motion;
  for (int frame : r.vq->worst_frames) {
    const auto& crop = analysis.observations[frame].face_crop;
    if (!crop.empty() && r.thumbnails.size() < 4) r.thumbnails.emplace_back(frame, crop);
  }
  rank_worst_seconds(r);
  return r;
}

}  // namespace parla::critic
