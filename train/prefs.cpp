// The preference set (DESIGN.md "Training" step 4, docs/experts.md "Preference set"):
// K candidate motions per corpus training clip from the base model (different seeds,
// the lips sampled by the full DDIM too), each scored by the critic's LS and MN heads on
// the MotionTrack and, for every `vq_every`-th clip, by the VQ frame head on a cheap
// render (256² crop on one of the portraits, tracked back). Sharded, checksummed,
// resumable: a shard file is written complete or not at all, and a rerun skips every
// shard whose checksum holds.
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "critic/critic.h"
#include "fusion/fusion.h"
#include "train/critic_data.h"
#include "train/random.h"
#include "train/train.h"
#include "video/video.h"

namespace parla::train {
namespace {

constexpr char kMagic[4] = {'P', 'R', 'F', 'S'};
constexpr int kVqRenderSize = 256;

// Little-endian writer / reader of the shard layout (docs/experts.md).
class Bytes {
 public:
  template <typename T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    data_.insert(data_.end(), p, p + sizeof(T));
  }
  void put_floats(std::span<const float> v) {
    const auto* p = reinterpret_cast<const char*>(v.data());
    data_.insert(data_.end(), p, p + v.size_bytes());
  }
  void put_string(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    data_.insert(data_.end(), s.begin(), s.end());
  }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

class Reader {
 public:
  Reader(std::string_view data, std::string name) : data_(data), name_(std::move(name)) {}
  template <typename T>
  T get() {
    T v;
    need(sizeof(T));
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void get_floats(std::span<float> out) {
    need(out.size_bytes());
    std::memcpy(out.data(), data_.data() + pos_, out.size_bytes());
    pos_ += out.size_bytes();
  }
  std::string get_string() {
    auto n = get<std::uint32_t>();
    if (n > 4096) throw InputError("preference shard " + name_ + " is corrupt (a name of " + std::to_string(n) + " bytes)");
    need(n);
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  void need(size_t n) {
    if (data_.size() - pos_ < n) throw InputError("preference shard " + name_ + " is truncated");
  }
  std::string_view data_;
  std::string name_;
  size_t pos_ = 0;
};

std::uint32_t checksum(std::string_view bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  for (size_t off = 0; off < bytes.size(); off += 1u << 30) {
    const size_t n = std::min<size_t>(bytes.size() - off, 1u << 30);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + off), static_cast<uInt>(n));
  }
  return static_cast<std::uint32_t>(crc);
}

std::string shard_name(int shard) {
  char name[32];
  std::snprintf(name, sizeof name, "prefs-%05d.bin", shard);
  return name;
}

std::string encode_shard(std::span<const PrefClip> clips) {
  Bytes b;
  b.put(kMagic);
  b.put(static_cast<std::uint32_t>(kPrefsVersion));
  b.put(static_cast<std::uint32_t>(clips.size()));
  for (const PrefClip& c : clips) {
    b.put_string(c.clip_id);
    b.put(static_cast<std::uint32_t>(c.frames));
    b.put(static_cast<std::uint32_t>(c.candidates.size()));
    b.put(static_cast<std::uint32_t>(c.seconds()));
    for (const PrefCandidate& k : c.candidates) {
      b.put(k.seed);
      for (const MotionFrame& f : k.motion.frames) b.put_floats(f);
      b.put_floats(k.score);
      for (const auto& per_second : k.per_second) b.put_floats(per_second);
    }
  }
  return b.data();
}

std::vector<PrefClip> decode_shard(std::string_view bytes, const std::string& name) {
  Reader r(bytes, name);
  auto magic = r.get<std::array<char, 4>>();
  if (std::memcmp(magic.data(), kMagic, 4) != 0)
    throw InputError("preference shard " + name + " is not a preference shard");
  if (auto v = r.get<std::uint32_t>(); v != kPrefsVersion)
    throw InputError("preference shard " + name + " has version " + std::to_string(v) +
                     ", this build reads " + std::to_string(kPrefsVersion));
  const auto count = r.get<std::uint32_t>();
  std::vector<PrefClip> clips;
  for (std::uint32_t i = 0; i < count; ++i) {
    PrefClip c;
    c.clip_id = r.get_string();
    c.frames = r.get<std::uint32_t>();
    const auto k = r.get<std::uint32_t>(), seconds = r.get<std::uint32_t>();
    if (c.frames > 25 * 3600 || k > 1024 || seconds != static_cast<std::uint32_t>((c.frames + 24) / 25))
      throw InputError("preference shard " + name + " is corrupt (clip " + c.clip_id + ")");
    c.candidates.resize(k);
    for (PrefCandidate& cand : c.candidates) {
      cand.seed = r.get<std::uint64_t>();
      cand.motion.frames.resize(c.frames);
      for (MotionFrame& f : cand.motion.frames) r.get_floats(f);
      r.get_floats(cand.score);
      for (auto& per_second : cand.per_second) {
        per_second.resize(seconds);
        r.get_floats(per_second);
      }
    }
    clips.push_back(std::move(c));
  }
  if (!r.done()) throw InputError("preference shard " + name + " has trailing bytes");
  return clips;
}

struct VqRenderer {
  std::vector<video::Rig> rigs;
  critic::Critic* critic = nullptr;

  // VQ of one candidate rendered on rig `r` and tracked back (crops kept).
  critic::VqResult score(const MotionTrack& motion, size_t r) const {
    video::Renderer renderer(rigs[r % rigs.size()],
                             {.framing = video::Framing::Crop, .size = kVqRenderSize, .threads = 1});
    critic::FaceTracker tracker(critic::AnalysisParams{.detect_every = 10});
    std::vector<critic::FaceObservation> seen;
    seen.reserve(motion.frames.size());
    for (const MotionFrame& f : motion.frames) seen.push_back(tracker.observe(renderer.render(f)));
    return critic->score_vq(seen, kMotionFps);
  }
};

}  // namespace

std::vector<float> per_second_of(const std::vector<float>& scores, float overall, int seconds) {
  std::vector<float> out(seconds, overall);
  for (int s = 0; s < seconds && s < static_cast<int>(scores.size()); ++s)
    out[s] = std::isfinite(scores[s]) ? scores[s] : overall;
  return out;
}

int PrefClip::seconds() const { return static_cast<int>((frames + 24) / 25); }

PrefsSummary build_prefs(const PrefsParams& params,
                         const std::function<void(const std::string&)>& log) {
  if (params.candidates < 2 || params.candidates > 64)
    throw InputError("prefs: --candidates must be 2..64");
  if (params.clips_per_shard < 1) throw InputError("prefs: --clips-per-shard must be ≥ 1");
  if (params.part_count < 1 || params.part_index < 0 || params.part_index >= params.part_count)
    throw InputError("--part '" + std::to_string(params.part_index) + "/" + std::to_string(params.part_count) +
                     "': expected I/N with 0 ≤ I < N (e.g. 0/2 and 1/2)");
  const auto start = std::chrono::steady_clock::now();
  CorpusReader reader(params.corpus);
  std::vector<ClipRef> refs = reader.clips(Split::Train);
  if (params.max_clips > 0 && refs.size() > static_cast<size_t>(params.max_clips))
    refs.resize(params.max_clips);
  if (refs.empty()) throw InputError("corpus " + quoted(params.corpus) + " has no train clips");
  std::filesystem::create_directories(params.out_dir);

  critic::Critic critic(critic::CriticParams{.models_dir = params.critic_dir, .threads = 1});
  VqRenderer vq{{}, &critic};
  if (params.vq_every > 0) {
    for (const auto& path : params.portraits) {
      Image portrait = video::load_image(path);
      const auto landmarks = std::filesystem::path(path).replace_extension(".landmarks.json");
      vq.rigs.emplace_back(portrait, std::filesystem::exists(landmarks)
                                         ? video::read_landmarks_file(landmarks, portrait.width, portrait.height)
                                         : video::fit_face(portrait, path.string()));
    }
    if (!params.realtalk.empty()) {
      std::vector<std::string> used;
      for (const RealClip& c : real_clips(params.realtalk)) {
        if (vq.rigs.size() >= params.portraits.size() + 4) break;
        if (c.split != Split::Train || std::find(used.begin(), used.end(), c.speaker) != used.end())
          continue;
        if (auto rig = rig_from_video(c.path)) vq.rigs.push_back(*rig), used.push_back(c.speaker);
      }
    }
    if (vq.rigs.empty()) throw InputError("prefs: VQ renders need at least one portrait");
    log("prefs: VQ renders on " + std::to_string(vq.rigs.size()) + " portraits, every " +
        std::to_string(params.vq_every) + "th clip");
  }

  const int shards = static_cast<int>((refs.size() + params.clips_per_shard - 1) / params.clips_per_shard);
  nlohmann::json index = {{"schema", "parla.prefs/1"},
                          {"version", kPrefsVersion},
                          {"corpus", params.corpus.string()},
                          {"base_weights", params.base_weights.empty()
                                               ? fusion::default_learned_weights().string()
                                               : params.base_weights.string()},
                          {"candidates", params.candidates},
                          {"ddim_steps", params.steps},
                          {"seed", params.seed},
                          {"vq_every", params.vq_every},
                          {"scores", {"ls", "mn", "vq"}},
                          {"shards", nlohmann::json::array()}};
  if (const auto old_index = params.out_dir / "prefs.json"; std::filesystem::exists(old_index)) {
    // Resuming: the shards on disk must come from the same recipe.
    nlohmann::json old = nlohmann::json::parse(read_text_file(old_index), nullptr, /*allow_exceptions=*/false);
    for (const char* key : {"candidates", "ddim_steps", "seed", "vq_every", "base_weights"}) {
      if (old.is_discarded() || !old.contains(key) || old[key] != index[key])
        throw InputError("preference set " + quoted(params.out_dir) + " was made with another " + key +
                         "; use another -o DIR or remove it");
    }
  }
  // The index lists the shards done so far: a partial set is usable while it grows.
  auto write_index = [&] {
    OutputFile out(params.out_dir / "prefs.json");
    write_text_file(out.temp_path(), index.dump(1) + "\n");
    out.commit();
  };
  PrefsSummary summary;
  for (int s = 0; s < shards; ++s) {
    const auto path = params.out_dir / shard_name(s);
    const size_t first = static_cast<size_t>(s) * params.clips_per_shard;
    const size_t last = std::min(refs.size(), first + params.clips_per_shard);
    std::vector<PrefClip> clips;
    std::string bytes;
    if (std::filesystem::exists(path)) {
      bytes = read_text_file(path);
      clips = decode_shard(bytes, quoted(path));
      if (clips.size() != last - first || clips.front().clip_id != refs[first].meta.id) {
        throw InputError("preference shard " + quoted(path) +
                         " holds other clips (another corpus or --clips-per-shard); remove it");
      }
    } else if (s % params.part_count != params.part_index) {
      continue;  // another part's, not made yet
    } else {
      const double minutes =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;
      if (params.max_minutes > 0 && minutes > params.max_minutes) {
        log("prefs: time limit reached; run the same command again to continue");
        break;
      }
      for (size_t i = first; i < last; ++i) {
        Clip clip = reader.load(refs[i]);
        audio::Features features = audio::compute_features(clip.audio);
        PrefClip pc;
        pc.clip_id = refs[i].meta.id;
        pc.frames = clip.motion.frame_count();
        critic::ClipAudio clip_audio = critic.prepare_audio(features, pc.frames);
        const bool render = params.vq_every > 0 && i % params.vq_every == 0;
        for (int k = 0; k < params.candidates; ++k) {
          fusion::GeneratorParams g;
          g.seed = derive_seed(params.seed, i * 1000 + static_cast<std::uint64_t>(k));
          g.steps = params.steps;
          g.weights = params.base_weights;
          g.full_ddim_lips = true;
          g.fusion = fusion::GeneratorParams::Fusion::Off;
          auto generator = fusion::make_generator("learned", g);
          PrefCandidate cand;
          cand.seed = g.seed;
          cand.motion = fusion::generate_motion(features.frames, *generator);
          cand.motion.frames.resize(pc.frames, cand.motion.frames.empty() ? MotionFrame{} : cand.motion.frames.back());
          critic::LsResult ls = critic.score_ls(cand.motion, clip_audio);
          critic::MnResult mn = critic.score_mn(cand.motion, clip_audio);
          cand.score = {ls.score, mn.score, NAN};
          cand.per_second[0] = per_second_of(ls.per_second_score, ls.score, pc.seconds());
          cand.per_second[1] = per_second_of(mn.per_second_score, mn.score, pc.seconds());
          if (render) {
            critic::VqResult v = vq.score(cand.motion, i / params.vq_every);
            cand.score[2] = v.score;
            cand.per_second[2] = per_second_of(v.per_second_score, v.score, pc.seconds());
          } else {
            cand.per_second[2].assign(pc.seconds(), NAN);
          }
          pc.candidates.push_back(std::move(cand));
        }
        clips.push_back(std::move(pc));
      }
      bytes = encode_shard(clips);
      OutputFile out(path);
      write_text_file(out.temp_path(), bytes);
      out.commit();
    }
    for (const PrefClip& c : clips) {
      summary.clips += 1;
      summary.candidates += static_cast<std::int64_t>(c.candidates.size());
      summary.seconds += static_cast<double>(c.frames) / kMotionFps;
      if (std::isfinite(c.candidates.front().score[2])) summary.vq_clips += 1;
    }
    summary.shards += 1;
    index["shards"].push_back({{"file", shard_name(s)},
                               {"clips", clips.size()},
                               {"bytes", bytes.size()},
                               {"crc32", checksum(bytes)}});
    index["complete"] = false;
    write_index();
    log("prefs: shard " + std::to_string(s + 1) + "/" + std::to_string(shards) + " (" +
        std::to_string(summary.clips) + " clips, " + std::to_string(summary.candidates) +
        " candidates)");
  }
  summary.complete = summary.shards == shards;
  index["complete"] = summary.complete;
  write_index();
  summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

float score_logit(float score) {
  const double s = std::clamp(static_cast<double>(score), 0.01, 99.99);
  return static_cast<float>(std::log(s / (100 - s)));
}

std::string prefs_report(std::span<const PrefClip> clips, double margin) {
  std::string out;
  char line[300];
  std::snprintf(line, sizeof line, "%-4s %7s %7s %7s %7s %9s %9s %13s\n", "head", "clips", "mean", "sd",
                "p10", "p90", "spread(z)", "pairs>=margin");
  out += line;
  for (int d = 0; d < 3; ++d) {
    std::vector<double> all, spread;
    int pairs = 0, clip_count = 0;
    for (const PrefClip& c : clips) {
      std::vector<double> v;
      for (const PrefCandidate& k : c.candidates)
        if (std::isfinite(k.score[d])) v.push_back(k.score[d]);
      all.insert(all.end(), v.begin(), v.end());
      for (double& x : v) x = score_logit(static_cast<float>(x));
      if (v.size() < 2) continue;
      ++clip_count;
      auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      spread.push_back(*hi - *lo);
      for (size_t i = 0; i < v.size(); ++i)
        for (size_t j = i + 1; j < v.size(); ++j) pairs += std::abs(v[i] - v[j]) >= margin;
    }
    if (all.empty()) continue;
    std::sort(all.begin(), all.end());
    double mean = 0, sq = 0, mean_spread = 0;
    for (double v : all) mean += v;
    mean /= all.size();
    for (double v : all) sq += (v - mean) * (v - mean);
    for (double v : spread) mean_spread += v;
    mean_spread /= spread.size();
    std::snprintf(line, sizeof line, "%-4s %7d %7.1f %7.1f %7.1f %7.1f %9.1f %13d\n",
                  std::string(dimension_name(static_cast<Dimension>(d))).c_str(), clip_count, mean,
                  std::sqrt(sq / all.size()), all[all.size() / 10], all[all.size() * 9 / 10], mean_spread,
                  pairs);
    out += line;
  }
  return out;
}

std::vector<PrefClip> read_prefs(const std::filesystem::path& dir) {
  const auto index_path = dir / "prefs.json";
  check_input_file(index_path, "preference set index");
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_text_file(index_path));
  } catch (const nlohmann::json::exception&) {
    throw InputError("preference set index " + quoted(index_path) + " is not valid JSON");
  }
  if (index.value("version", 0) != kPrefsVersion || !index.contains("shards"))
    throw InputError("preference set index " + quoted(index_path) + " is not version " +
                     std::to_string(kPrefsVersion));
  std::vector<PrefClip> all;
  for (const auto& shard : index["shards"]) {
    const auto path = dir / shard.at("file").get<std::string>();
    check_input_file(path, "preference shard");
    std::string bytes = read_text_file(path);
    if (bytes.size() != shard.at("bytes").get<size_t>() ||
        checksum(bytes) != shard.at("crc32").get<std::uint32_t>())
      throw InputError("preference shard " + quoted(path) + " fails its checksum");
    auto clips = decode_shard(bytes, quoted(path));
    for (auto& c : clips) all.push_back(std::move(c));
  }
  return all;
}

}  // namespace parla::train
