// corpus-stats: what a corpus holds (hours by engine, language, voice and split),
// how often each viseme occurs, and the label channels' distributions and blink rate.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "train/train.h"

namespace parla::train {
namespace {

std::string format_hours(const std::string& title, const std::map<std::string, double>& seconds,
                         double total_s) {
  std::vector<std::pair<std::string, double>> rows(seconds.begin(), seconds.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out = title + " (" + std::to_string(rows.size()) + "):\n";
  char line[160];
  for (const auto& [name, s] : rows) {
    std::snprintf(line, sizeof line, "  %-28s %8.3f h  %5.1f %%\n", name.c_str(), s / 3600,
                  100 * s / std::max(total_s, 1e-9));
    out += line;
  }
  return out;
}

}  // namespace

std::string corpus_stats_report(const CorpusReader& reader) {
  std::map<std::string, double> by_engine, by_language, by_voice, by_split, by_augmentation;
  std::set<std::string> test_languages, train_languages, test_voices, train_voices;
  double total_s = 0;
  std::array<double, kVisemeCount> viseme_s{};
  for (const ClipRef& c : reader.clips()) {
    double s = c.samples / static_cast<double>(kSampleRate);
    total_s += s;
    by_engine[c.meta.engine] += s;
    by_language[c.meta.language] += s;
    by_voice[c.meta.engine + ":" + c.meta.voice] += s;
    by_split[std::string(split_name(c.meta.split))] += s;
    std::string aug = c.meta.augmentation;
    if (c.meta.speed != 1.0) aug += " speed";
    for (const char* kind : {"noise=white", "noise=pink", "noise=babble", "reverb",
                             "band=telephone", "band=lowpass", "mp3", "opus", "speed", "clean"}) {
      if (aug.find(kind) != std::string::npos) by_augmentation[kind] += s;
    }
    (c.meta.split == Split::Test ? test_languages : train_languages).insert(c.meta.language);
    (c.meta.split == Split::Test ? test_voices : train_voices)
        .insert(c.meta.engine + ":" + c.meta.voice);
  }
  // Channel statistics and blinks need the motion: read every clip once.
  std::array<double, kChannelCount> sum{}, sum2{}, lo{}, hi{};
  lo.fill(1e9);
  hi.fill(-1e9);
  double frames = 0, blinks = 0;
  // Label/audio agreement: audio energy at frames with lips shut vs jaw open.
  // Keyed by "engine" for clips without noise, reverb, band limit or codec, and "all".
  std::map<std::string, std::pair<std::vector<float>, std::vector<float>>> agreement_db;
  for (const ClipRef& c : reader.clips()) {
    Clip clip = reader.load(c);
    for (const Phone& p : clip.phones)
      viseme_s[static_cast<int>(p.viseme)] += (p.end_sample - p.start_sample) / double(kSampleRate);
    float previous_lid = 0;
    for (std::int64_t k = 0; k < clip.motion.frame_count(); ++k) {
      const MotionFrame& f = clip.motion.frames[static_cast<size_t>(k)];
      bool closed = f[index(Channel::MouthClose)] >= 0.9f,
           open = f[index(Channel::JawOpen)] >= 0.4f;
      if (closed || open) {
        auto lo = static_cast<size_t>(std::max<std::int64_t>(0, k * kSamplesPerMotionFrame - 320));
        auto hi =
            std::min(clip.audio.size(), static_cast<size_t>(k * kSamplesPerMotionFrame + 320));
        double power = 1e-12;
        for (size_t i = lo; i < hi; ++i)
          power += clip.audio[i] * clip.audio[i] / double(std::max<size_t>(1, hi - lo));
        auto db = static_cast<float>(10 * std::log10(power));
        const std::string& aug = c.meta.augmentation;
        bool dry = aug.find("noise") == std::string::npos &&
                   aug.find("reverb") == std::string::npos &&
                   aug.find("band") == std::string::npos && aug.find("mp3") == std::string::npos &&
                   aug.find("opus") == std::string::npos;
        for (const std::string& key : {std::string("all clips"), c.meta.engine + " (dry clips)"}) {
          if (key != "all clips" && !dry) continue;
          auto& [closed_db, open_db] = agreement_db[key];
          (closed ? closed_db : open_db).push_back(db);
        }
      }
      for (int ch = 0; ch < kChannelCount; ++ch) {
        sum[ch] += f[ch];
        sum2[ch] += static_cast<double>(f[ch]) * f[ch];
        lo[ch] = std::min<double>(lo[ch], f[ch]);
        hi[ch] = std::max<double>(hi[ch], f[ch]);
      }
      float lid = f[index(Channel::EyeBlinkLeft)];
      if (lid >= 0.5f && previous_lid < 0.5f) ++blinks;
      previous_lid = lid;
      ++frames;
    }
  }
  char line[200];
  std::snprintf(line, sizeof line, "corpus %s: %zu clips, %.3f hours, %d shards\n",
                reader.dir().c_str(), reader.clips().size(), total_s / 3600, reader.shard_count());
  std::string out = line;
  out += format_hours("engines", by_engine, total_s);
  out += format_hours("languages", by_language, total_s);
  out += format_hours("splits", by_split, total_s);
  out += format_hours("voices", by_voice, total_s);
  out += format_hours("augmentations (a clip may have several)", by_augmentation, total_s);
  auto join = [](const std::set<std::string>& s) {
    std::string r;
    for (const auto& x : s) r += (r.empty() ? "" : " ") + x;
    return r;
  };
  std::set<std::string> held_languages, held_voices;
  for (const auto& l : test_languages)
    if (!train_languages.count(l)) held_languages.insert(l);
  for (const auto& v : test_voices)
    if (!train_voices.count(v)) held_voices.insert(v);
  out += "test-only languages (" + std::to_string(held_languages.size()) +
         "): " + join(held_languages) + "\n";
  out += "test-only voices: " + std::to_string(held_voices.size()) + "\n";
  double phone_s = 0;
  for (double s : viseme_s) phone_s += s;
  out += "visemes (share of time):\n";
  for (int v = 0; v < kVisemeCount; ++v) {
    std::snprintf(line, sizeof line, "  %-20s %5.1f %%\n",
                  std::string(viseme_name(static_cast<Viseme>(v))).c_str(),
                  100 * viseme_s[v] / std::max(phone_s, 1e-9));
    out += line;
  }
  out += "channels (mean, sd, min, max):\n";
  for (int ch = 0; ch < kChannelCount; ++ch) {
    double mean = sum[ch] / std::max(frames, 1.0);
    double sd = std::sqrt(std::max(0.0, sum2[ch] / std::max(frames, 1.0) - mean * mean));
    std::snprintf(line, sizeof line, "  %-15s %8.4f %8.4f %8.4f %8.4f\n",
                  std::string(channel_table()[ch].name).c_str(), mean, sd, lo[ch], hi[ch]);
    out += line;
  }
  auto median = [](std::vector<float>& v) {
    if (v.empty()) return 0.f;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  out +=
      "label/audio agreement: median energy at lips-shut frames (mouthClose >= 0.9) vs\n"
      "jaw-open frames (jawOpen >= 0.4), 40 ms around each frame time:\n";
  for (auto& [key, dbs] : agreement_db) {
    float closed_median = median(dbs.first), open_median = median(dbs.second);
    std::snprintf(line, sizeof line, "  %-22s shut %6.1f dB, open %6.1f dB: %5.1f dB apart\n",
                  key.c_str(), closed_median, open_median, open_median - closed_median);
    out += line;
  }
  std::snprintf(line, sizeof line,
                "unmapped phone symbols: %zu; failed syntheses (skipped clips): %zu\n",
                reader.unmapped_phones().size(), reader.failed_syntheses().size());
  out += line;
  for (size_t i = 0; i < std::min<size_t>(3, reader.failed_syntheses().size()); ++i) {
    out += "  " + reader.failed_syntheses()[i] + "\n";
  }
  std::snprintf(line, sizeof line, "blink rate: %.1f per minute\n",
                blinks / std::max(frames / kMotionFps / 60, 1e-9));
  out += line;
  return out;
}

}  // namespace parla::train
