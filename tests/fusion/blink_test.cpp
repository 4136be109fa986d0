// Blinks on real speech (the shared recordings and the real talking videos' audio):
// they continue to the end of every clip at a human rate, favour pauses over the middle
// of words, and stay deterministic per seed. Measured on the classic generator, whose
// eyelids come from the same blink process as the learned one's (fusion/blink_overlay.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "audio/audio.h"
#include "fusion/fusion.h"
#include "tests/fusion/generator_fixture.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::Channel;
using parla::MotionTrack;
namespace audio = parla::audio;
namespace fusion = parla::fusion;

std::vector<fs::path> real_clips() {
  fs::path media = parla::testing::shared_media_dir();
  return {media / "speech" / "jfk_en_male.wav", media / "speech" / "librivox_en_male.wav",
          media / "speech" / "french_female.wav", media / "video" / "hdtf_katiehill.mp4",
          media / "video" / "retalking_woman.mp4"};
}

const audio::Features& features_of(const fs::path& path) {
  static std::map<fs::path, audio::Features> cache;
  auto it = cache.find(path);
  if (it == cache.end()) it = cache.emplace(path, audio::compute_features(audio::decode_audio(path))).first;
  return it->second;
}

MotionTrack generate(const fs::path& clip, std::uint64_t seed) {
  auto gen = fusion::make_generator("classic", {.seed = seed});
  return fusion::generate_motion(features_of(clip).frames, *gen);
}

// Motion frames where the left eyelid crosses half closed.
std::vector<int> blink_onsets(const MotionTrack& t) {
  std::vector<int> onsets;
  auto eye = parla::testing::channel_values(t, Channel::EyeBlinkLeft);
  for (size_t i = 1; i < eye.size(); ++i) {
    if (eye[i] >= 0.5f && eye[i - 1] < 0.5f) onsets.push_back(static_cast<int>(i));
  }
  return onsets;
}

TEST(Blinks, ContinueToTheEndOfEveryRealClipAtAHumanRate) {
  int blinks = 0;
  double minutes = 0, longest_gap_s = 0;
  for (const auto& clip : real_clips()) {
    for (std::uint64_t seed = 0; seed < 12; ++seed) {
      MotionTrack t = generate(clip, seed);
      auto onsets = blink_onsets(t);
      // Gaps between blinks, and from the clip's start and to its end.
      std::vector<int> edges = {0};
      edges.insert(edges.end(), onsets.begin(), onsets.end());
      edges.push_back(t.frame_count());
      for (size_t k = 1; k < edges.size(); ++k) {
        double gap_s = (edges[k] - edges[k - 1]) / t.fps;
        longest_gap_s = std::max(longest_gap_s, gap_s);
        EXPECT_LE(gap_s, 6.0) << clip.filename() << " seed " << seed << ": no blink from frame "
                              << edges[k - 1] << " to " << edges[k];
      }
      blinks += static_cast<int>(onsets.size());
      minutes += t.duration_seconds() / 60;
    }
  }
  double rate = blinks / minutes;
  std::printf("blinks: %.1f per minute over %.1f min of real speech, longest gap %.1f s\n", rate, minutes,
              longest_gap_s);
  EXPECT_GT(rate, 14.0);
  EXPECT_LT(rate, 22.0);
}

// A blink starts near a pause clearly more often than the time near pauses would give
// by chance. A pause: ≥ 0.25 s quieter than the clip's loudest frame − 25 dB (the
// voice activity flag alone calls the noise floor of the JFK recording speech);
// near: inside it or up to 0.3 s after.
TEST(Blinks, FavourPausesInRealSpeech) {
  int onsets_total = 0, onsets_near = 0;
  double frames_total = 0, frames_near = 0;
  for (const auto& clip : real_clips()) {
    const auto& frames = features_of(clip).frames;
    float loudest_db = -200;
    for (const auto& f : frames) loudest_db = std::max(loudest_db, f.energy_db);
    auto quiet = [&](size_t k) { return frames[k].energy_db < loudest_db - 25; };
    std::vector<bool> near(frames.size(), false);
    for (size_t i = 0; i < frames.size();) {
      size_t j = i;
      while (j < frames.size() && quiet(j)) ++j;
      if (j - i >= 25) {
        for (size_t k = i; k < std::min(frames.size(), j + 30); ++k) near[k] = true;
      }
      i = j + 1;
    }
    auto near_at_motion_frame = [&](int m) { return near[std::min<size_t>(m * 4, near.size() - 1)]; };
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      MotionTrack t = generate(clip, seed);
      for (int onset : blink_onsets(t)) {
        // The onset crosses half closed ~40 ms after the blink starts.
        ++onsets_total;
        onsets_near += near_at_motion_frame(std::max(0, onset - 1));
      }
      for (int m = 0; m < t.frame_count(); ++m) {
        ++frames_total;
        frames_near += near_at_motion_frame(m);
      }
    }
  }
  double share = static_cast<double>(onsets_near) / onsets_total, chance = frames_near / frames_total;
  std::printf("blinks near pauses: %d of %d (%.2f), time near pauses %.2f\n", onsets_near, onsets_total, share,
              chance);
  EXPECT_GT(share, 1.4 * chance);
}

TEST(Blinks, SameSeedSameBlinksOtherSeedOtherBlinks) {
  fs::path jfk = real_clips().front();
  EXPECT_EQ(blink_onsets(generate(jfk, 3)), blink_onsets(generate(jfk, 3)));
  EXPECT_NE(blink_onsets(generate(jfk, 3)), blink_onsets(generate(jfk, 4)));
}

}  // namespace
