// Real talking faces → mouth labels: the critic's video analysis of every realtalk clip,
// jawOpen mapped per speaker onto the synthetic labels' distribution (a wide mouth and a
// small one mean the same jawOpen), cached in one binary file.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>

#include "audio/audio.h"
#include "critic/critic.h"
#include "train/random.h"
#include "train/train.h"

namespace parla::train {
namespace {

constexpr char kMagic[8] = {'P', 'R', 'T', 'L', 'B', 'L', '0', '2'};
constexpr std::array<double, 3> kLevels = {0.10, 0.50, 0.90};

float quantile(std::vector<float> v, double q) {
  if (v.empty()) return 0.f;
  const size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

std::array<float, 3> quantiles(const std::vector<float>& v) {
  return {quantile(v, kLevels[0]), quantile(v, kLevels[1]), quantile(v, kLevels[2])};
}

// Voice activity per motion frame: most of its four feature frames are speech.
std::vector<std::uint8_t> speech_frames(const audio::Features& f, std::int64_t frames) {
  std::vector<std::uint8_t> out(static_cast<size_t>(frames), 0);
  for (std::int64_t k = 0; k < frames; ++k) {
    int votes = 0;
    for (std::int64_t i = 4 * k; i < 4 * k + 4 && i < static_cast<std::int64_t>(f.frames.size());
         ++i)
      votes += f.frames[static_cast<size_t>(i)].speech;
    out[static_cast<size_t>(k)] = votes >= 2;
  }
  return out;
}

// Binary cache: the magic, the clip count, then per clip its strings and arrays.
template <typename T>
void put(std::ofstream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}
template <typename T>
void put_vector(std::ofstream& out, const std::vector<T>& v) {
  put(out, static_cast<std::uint64_t>(v.size()));
  out.write(reinterpret_cast<const char*>(v.data()),
            static_cast<std::streamsize>(v.size() * sizeof(T)));
}
void put_string(std::ofstream& out, const std::string& s) {
  put_vector(out, std::vector<char>(s.begin(), s.end()));
}
template <typename T>
void get(std::ifstream& in, T& value) {
  in.read(reinterpret_cast<char*>(&value), sizeof value);
}
template <typename T>
void get_vector(std::ifstream& in, std::vector<T>& v) {
  std::uint64_t n = 0;
  get(in, n);
  if (!in || n > (1ull << 32)) throw Error("corrupt realtalk label cache");
  v.resize(n);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
}
void get_string(std::ifstream& in, std::string& s) {
  std::vector<char> v;
  get_vector(in, v);
  s.assign(v.begin(), v.end());
}

void save(const std::vector<RealLabels>& clips, const std::filesystem::path& path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(kMagic, sizeof kMagic);
    put(out, static_cast<std::uint64_t>(clips.size()));
    for (const RealLabels& c : clips) {
      put_string(out, c.file);
      put_string(out, c.speaker);
      put(out, static_cast<std::int32_t>(c.split));
      put_vector(out, c.pcm);
      put_vector(out, c.jaw);
      put_vector(out, c.raw_jaw);
      put_vector(out, c.close);
      put_vector(out, c.confidence);
      put_vector(out, c.speech);
      put(out, c.speaker_quantiles);
      put(out, static_cast<std::int32_t>(c.av_offset));
    }
    if (!out) throw Error("cannot write " + quoted(std::filesystem::path(tmp)));
  }
  std::filesystem::rename(tmp, path);
}

std::optional<std::vector<RealLabels>> load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  char magic[sizeof kMagic];
  in.read(magic, sizeof magic);
  if (!in || std::memcmp(magic, kMagic, sizeof kMagic) != 0) return std::nullopt;
  std::uint64_t n = 0;
  get(in, n);
  std::vector<RealLabels> clips(n);
  for (RealLabels& c : clips) {
    std::int32_t split = 0;
    get_string(in, c.file);
    get_string(in, c.speaker);
    get(in, split);
    c.split = static_cast<Split>(split);
    get_vector(in, c.pcm);
    get_vector(in, c.jaw);
    get_vector(in, c.raw_jaw);
    get_vector(in, c.close);
    get_vector(in, c.confidence);
    get_vector(in, c.speech);
    get(in, c.speaker_quantiles);
    std::int32_t offset = 0;
    get(in, offset);
    c.av_offset = offset;
  }
  if (!in) return std::nullopt;
  return clips;
}

}  // namespace

float map_quantiles(float value, const std::array<float, 3>& from, const std::array<float, 3>& to) {
  const int segment = value < from[1] ? 0 : 1;  // below the median: p10..p50, else p50..p90
  const float span = std::max(from[segment + 1] - from[segment], 1e-4f);
  const float mapped =
      to[segment] + (value - from[segment]) * (to[segment + 1] - to[segment]) / span;
  return std::clamp(mapped, 0.f, 1.f);
}

float map_quantiles_shut_at_zero(float value, const std::array<float, 3>& from,
                                 const std::array<float, 3>& to) {
  if (value >= from[0]) return map_quantiles(value, from, to);
  return std::clamp(to[0] * value / std::max(from[0], 1e-4f), 0.f, to[0]);
}

std::array<float, 3> synthetic_jaw_quantiles(const CorpusReader& reader, Split split) {
  std::vector<float> jaw;
  for (const ClipRef& ref : reader.clips(split)) {
    Clip clip = reader.load(ref);
    size_t p = 0;
    for (std::int64_t k = 0; k < clip.motion.frame_count(); ++k) {
      const std::int64_t sample = k * kSamplesPerMotionFrame;
      while (p + 1 < clip.phones.size() && clip.phones[p].end_sample <= sample) ++p;
      if (p < clip.phones.size() && clip.phones[p].ipa != kPauseSymbol)
        jaw.push_back(clip.motion.frames[static_cast<size_t>(k)][index(Channel::JawOpen)]);
    }
  }
  return quantiles(jaw);
}

namespace {

// jawOpen on the synthetic scale from the raw estimate and the speaker's quantiles.
void normalise(RealLabels& c) {
  c.jaw.resize(c.raw_jaw.size());
  for (size_t k = 0; k < c.raw_jaw.size(); ++k)
    c.jaw[k] = map_quantiles(c.raw_jaw[k], c.speaker_quantiles, kSyntheticJawQuantiles);
}

}  // namespace

RealLabels sync_corrected(RealLabels clip) {
  const int offset = clip.av_offset;
  if (std::abs(offset) < kRealSyncMinOffset) return clip;
  // Audio frame k shows video frame k + offset (offset < 0: the sound comes late).
  const std::int64_t n = clip.frames();
  auto moved = [&](std::vector<float>& v) {
    std::vector<float> out(v.size(), 0.f);
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t source = k + offset;
      if (source >= 0 && source < n) out[static_cast<size_t>(k)] = v[static_cast<size_t>(source)];
    }
    v = std::move(out);
  };
  for (std::vector<float>* v : {&clip.jaw, &clip.raw_jaw, &clip.close, &clip.confidence}) moved(*v);
  clip.av_offset = 0;
  return clip;
}

RealVariant real_variant(const RealLabels& clip, int version, std::uint64_t seed,
                         std::span<const std::vector<float>> babble_sources) {
  RealVariant v;
  v.pcm = clip.pcm;
  if (version > 0) {
    Random rng(seed);
    std::vector<Phone> no_phones;
    v.pcm = speed_perturb(v.pcm, rng.uniform(0.9, 1.1), no_phones);
    // The factor speed_perturb applies: the source rate is rounded to whole hertz.
    v.speed = static_cast<double>(clip.pcm.size()) /
              static_cast<double>(std::max<size_t>(1, v.pcm.size()));
    v.pcm = augment(v.pcm, draw_augmentation(seed), babble_sources, seed);
  }
  const std::int64_t frames = motion_frames_for(static_cast<std::int64_t>(v.pcm.size()));
  for (std::int64_t k = 0; k < frames && clip.frames() > 0; ++k) {
    const double x = std::min(static_cast<double>(k) * v.speed,
                              static_cast<double>(clip.frames() - 1));  // source frame
    const auto a = static_cast<size_t>(x);
    const size_t b = std::min(a + 1, clip.jaw.size() - 1);
    const double w = x - static_cast<double>(a);
    v.jaw.push_back(static_cast<float>((1 - w) * clip.jaw[a] + w * clip.jaw[b]));
    // A label needs confident tracking in every source frame it interpolates.
    const float confidence =
        w > 1e-6 ? std::min(clip.confidence[a], clip.confidence[b]) : clip.confidence[a];
    v.label.push_back(confidence >= kRealMinConfidence);
  }
  return v;
}

std::vector<RealLabels> real_labels(const std::filesystem::path& dir,
                                    const std::filesystem::path& cache,
                                    const std::function<void(const std::string&)>& log) {
  const std::vector<RealClip> listed = real_clips(dir);
  if (auto cached = load(cache)) {
    // Usable when every cached clip is in the manifest with the same speaker and split.
    std::map<std::string, const RealClip*> by_file;
    for (const RealClip& c : listed) by_file[c.path.filename().string()] = &c;
    bool same = !cached->empty();
    for (const RealLabels& c : *cached) {
      auto it = by_file.find(c.file);
      same = same && it != by_file.end() && it->second->speaker == c.speaker &&
             it->second->split == c.split;
    }
    if (same) {
      // The mapping is applied on every load, so the cache outlives a change of target.
      for (RealLabels& c : *cached) normalise(c);
      return std::move(*cached);
    }
    if (log) log("realtalk label cache " + quoted(cache) + " is for other clips: tracking again");
  }
  std::vector<RealLabels> clips;
  critic::Critic critic;
  for (size_t i = 0; i < listed.size(); ++i) {
    critic::VideoAnalysis a;
    try {
      a = critic::analyze_video(listed[i].path, critic::AnalysisParams{.keep_crops = false});
    } catch (const InputError& e) {
      if (log) log(std::string("realtalk: skipped ") + e.what());
      continue;
    }
    RealLabels c;
    c.file = listed[i].path.filename().string();
    c.speaker = listed[i].speaker;
    c.split = listed[i].split;
    const std::int64_t frames = std::min<std::int64_t>(
        a.motion.frame_count(), motion_frames_for(static_cast<std::int64_t>(a.pcm.size())));
    for (std::int64_t k = 0; k < frames; ++k) {
      const auto& f = a.motion.frames[static_cast<size_t>(k)];
      c.raw_jaw.push_back(f[index(Channel::JawOpen)]);
      c.close.push_back(f[index(Channel::MouthClose)]);
      c.confidence.push_back(a.confidence[static_cast<size_t>(k)]);
    }
    const audio::Features features = audio::compute_features(a.pcm);
    c.speech = speech_frames(features, frames);
    c.av_offset = critic.score_ls(a, features).offset_frames;
    c.pcm = std::move(a.pcm);
    clips.push_back(std::move(c));
    if (log && (i + 1) % 10 == 0)
      log("realtalk: tracked " + std::to_string(i + 1) + "/" + std::to_string(listed.size()) +
          " clips");
  }
  // Per speaker: the confident speech frames of all their clips give p10, p50, p90.
  std::map<std::string, std::vector<float>> pooled;
  for (const RealLabels& c : clips) {
    for (size_t k = 0; k < c.raw_jaw.size(); ++k) {
      if (c.speech[k] && c.confidence[k] >= kRealMinConfidence)
        pooled[c.speaker].push_back(c.raw_jaw[k]);
    }
  }
  for (RealLabels& c : clips) {
    c.speaker_quantiles = quantiles(pooled[c.speaker]);
    normalise(c);
  }
  if (clips.empty()) throw InputError("no realtalk clip in " + quoted(dir) + " could be tracked");
  if (!cache.empty()) save(clips, cache);
  return clips;
}

}  // namespace parla::train
