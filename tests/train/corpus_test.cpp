// A small corpus end to end: same seed → byte-identical shards, audio and labels agree
// in length, phones tile every clip, and test holds out whole voices and languages.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/support/testing.h"
#include "train/engines.h"
#include "train/train.h"

namespace {
using namespace parla::train;
namespace fs = std::filesystem;

using parla::testing::file_bytes;

CorpusParams small(std::uint64_t seed) {
  CorpusParams p;
  p.hours = 0.015;  // 54 s of audio
  p.seed = seed;
  p.shard_minutes = 0.3;  // 3 shards
  p.workers = 2;
  p.festival_share = 0.15;  // every engine shows up even in a tiny corpus
  p.flite_share = 0.25;
  return p;
}

const fs::path& corpus_a() {
  static parla::testing::ScratchDir* dir = new parla::testing::ScratchDir;  // lives for the run
  static const bool made = [] {
    generate_corpus(small(7), dir->path() / "a");
    return true;
  }();
  (void)made;
  static const fs::path path = dir->path() / "a";
  return path;
}

TEST(Corpus, SameSeedGivesIdenticalShardsWhateverTheWorkersOtherSeedDiffers) {
  parla::testing::ScratchDir dir;
  CorpusParams one_worker = small(7);
  one_worker.workers = 1;  // shard k depends only on (seed, k), not on who makes it
  generate_corpus(one_worker, dir / "b");
  generate_corpus(small(8), dir / "c");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(corpus_a()))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  ASSERT_GE(names.size(), 7u);  // 3 × (.bin + .json) + corpus.json
  for (const std::string& name : names) {
    EXPECT_EQ(file_bytes(corpus_a() / name), file_bytes(dir / "b" / name)) << name;
  }
  EXPECT_NE(file_bytes(corpus_a() / "shard-00000.bin"), file_bytes(dir / "c" / "shard-00000.bin"));
}

TEST(Corpus, AudioLabelsAndPhonesAgreeInLength) {
  CorpusReader reader(corpus_a());
  ASSERT_EQ(reader.shard_count(), 3);
  double seconds = 0;
  std::set<std::string> engines;
  for (const ClipRef& ref : reader.clips()) {
    Clip clip = reader.load(ref);
    auto n = static_cast<std::int64_t>(clip.audio.size());
    seconds += n / double(kSampleRate);
    engines.insert(clip.meta.engine);
    EXPECT_EQ(n, ref.samples);
    EXPECT_EQ(clip.motion.frame_count(), motion_frames_for(n)) << clip.meta.id;
    ASSERT_FALSE(clip.phones.empty());
    EXPECT_EQ(clip.phones.front().start_sample, 0);
    EXPECT_EQ(clip.phones.back().end_sample, n) << clip.meta.id;
    for (size_t i = 1; i < clip.phones.size(); ++i) {
      EXPECT_EQ(clip.phones[i].start_sample, clip.phones[i - 1].end_sample) << clip.meta.id;
    }
    float peak = 0;
    for (float v : clip.audio) peak = std::max(peak, std::abs(v));
    EXPECT_GT(peak, 0.01f) << clip.meta.id;
    EXPECT_FALSE(clip.meta.text.empty());
  }
  EXPECT_GE(seconds, 0.015 * 3600);
  EXPECT_EQ(engines.size(), 3u);
}

TEST(Corpus, TestSplitHoldsOutVoicesAndLanguages) {
  CorpusReader reader(corpus_a());
  std::set<std::string> held_voices;
  for (const VoiceSpec& v : voice_catalogue()) {
    if (v.held_out) held_voices.insert(v.engine + ":" + v.voice);
  }
  const auto& held_languages = held_out_languages();
  EXPECT_GE(held_languages.size(), 2u);
  for (const ClipRef& c : reader.clips()) {
    bool held = held_voices.count(c.meta.engine + ":" + c.meta.voice) ||
                std::count(held_languages.begin(), held_languages.end(), c.meta.language);
    EXPECT_EQ(held, c.meta.split == Split::Test) << c.meta.id << " " << c.meta.voice;
  }
  EXPECT_FALSE(reader.clips(Split::Train).empty());
  EXPECT_FALSE(reader.clips(Split::Test).empty());
}

TEST(Corpus, RefusesANonEmptyDirectoryAndBadHours) {
  parla::testing::ScratchDir dir;
  parla::write_text_file(dir / "x.txt", "x");
  EXPECT_THROW(generate_corpus(small(1), dir.path()), parla::InputError);
  CorpusParams bad = small(1);
  bad.hours = 0;
  EXPECT_THROW(generate_corpus(bad, dir / "new"), parla::InputError);
  EXPECT_THROW(CorpusReader(dir / "missing"), parla::InputError);
}

}  // namespace
