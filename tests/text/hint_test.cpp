// The text hint on real espeak-ng speech: a generated mouth that never closes gains a
// closure at every p/b/m of the text and none elsewhere; a closure the text does not
// explain is opened; text that is not what the audio says changes nothing and says so.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/core.h"
#include "text/text.h"

namespace {
using namespace parla::text;
using parla::Channel;
using parla::MotionTrack;

constexpr const char* kText =
    "Maybe people put pepper in the soup. Bob bought a big blue boat, and Pam kept a map.";

// A stand-in for a generated track: the jaw moves, the lips never meet.
MotionTrack open_mouth_track(std::int64_t samples) {
  MotionTrack t;
  t.frames.assign(static_cast<size_t>((samples + 639) / 640), parla::neutral_frame());
  for (size_t k = 0; k < t.frames.size(); ++k) {
    t.frames[k][index(Channel::JawOpen)] = 0.3f + 0.2f * static_cast<float>(k % 5) / 4;
    t.frames[k][index(Channel::MouthClose)] = 0.f;
  }
  return t;
}

struct ClosedRun {
  double start_s, end_s;
};

std::vector<ClosedRun> closure_runs(const MotionTrack& t) {
  std::vector<ClosedRun> runs;
  for (std::int64_t k = 0; k < t.frame_count();) {
    if (t.value(k, Channel::MouthClose) < 0.5f) {
      ++k;
      continue;
    }
    std::int64_t end = k;
    while (end < t.frame_count() && t.value(end, Channel::MouthClose) >= 0.5f) ++end;
    runs.push_back({k / 25.0, (end - 1) / 25.0});
    k = end;
  }
  return runs;
}

class TextHint : public ::testing::Test {
 protected:
  void SetUp() override { speech = speak_text(kText, {.voice = "en-us+m3", .rate_wpm = 150}); }
  std::int64_t samples() const { return static_cast<std::int64_t>(speech.audio.size()); }
  SpokenText speech;
};

TEST_F(TextHint, ClosesTheLipsAtEveryBilabialAndNowhereElse) {
  MotionTrack track = open_mouth_track(samples());
  TextHintReport r = apply_text_hint(track, speech.audio, kText);
  ASSERT_TRUE(r.applied) << r.warning;
  EXPECT_TRUE(r.warning.empty()) << r.warning;
  int bilabials = 0, closed = 0;
  for (const Phone& p : speech.phones) {
    if (p.viseme != Viseme::Bilabial) continue;
    ++bilabials;
    float best = 0, jaw = 1;
    for (std::int64_t k = p.start_sample / 640; k <= p.end_sample / 640 && k < track.frame_count(); ++k) {
      if (track.value(k, Channel::MouthClose) > best) {
        best = track.value(k, Channel::MouthClose);
        jaw = track.value(k, Channel::JawOpen);
      }
    }
    closed += best >= 0.9f;
    EXPECT_LT(jaw, 0.2f) << p.ipa << " at " << p.start_sample / 16000.0 << " s";
  }
  EXPECT_GE(bilabials, 17);  // espeak-ng: 19 (m, b, p in 12 words)
  EXPECT_GE(closed, bilabials - 1);
  EXPECT_EQ(r.closures + r.closures_skipped, bilabials);
  // Every closed run lies within 60 ms of a p/b/m (the lips close ahead of the sound).
  for (const ClosedRun& run : closure_runs(track)) {
    bool near = false;
    for (const Phone& p : speech.phones) {
      near = near || (p.viseme == Viseme::Bilabial && run.start_s <= p.end_sample / 16000.0 + 0.06 &&
                      run.end_s >= p.start_sample / 16000.0 - 0.06);
    }
    EXPECT_TRUE(near) << "closure at " << run.start_s << ".." << run.end_s << " s";
  }
  for (const auto& f : track.frames) {
    for (int c = 0; c < parla::kChannelCount; ++c) {
      EXPECT_GE(f[c], parla::channel_table()[c].min);
      EXPECT_LE(f[c], parla::channel_table()[c].max);
    }
  }
}

TEST_F(TextHint, OpensAClosureTheTextDoesNotExplain) {
  // A vowel 200 ms or more from every p/b/m: close the generated lips there.
  MotionTrack track = open_mouth_track(samples());
  std::int64_t frame = -1;
  for (const Phone& p : speech.phones) {
    if (!is_vowel(p.viseme)) continue;
    std::int64_t mid = (p.start_sample + p.end_sample) / 2;
    bool far = true;
    for (const Phone& q : speech.phones) {
      far = far && (q.viseme != Viseme::Bilabial ||
                    (std::abs(q.start_sample - mid) > 3200 && std::abs(q.end_sample - mid) > 3200));
    }
    if (far) {
      frame = mid / 640;
      break;
    }
  }
  ASSERT_GE(frame, 0);
  for (std::int64_t k = frame - 1; k <= frame + 1; ++k) track.frames[k][index(Channel::MouthClose)] = 0.9f;
  TextHintReport r = apply_text_hint(track, speech.audio, kText);
  ASSERT_TRUE(r.applied) << r.warning;
  EXPECT_GE(r.stray_closures_opened, 1) << "frame " << frame << ", quality " << r.quality;
  EXPECT_LT(track.value(frame, Channel::MouthClose), 0.5f);
}

TEST_F(TextHint, OtherWordsChangeNothingAndWarn) {
  MotionTrack track = open_mouth_track(samples());
  const MotionTrack before = track;
  for (const std::string other :
       {"Seven silly geese sat still on the icy lake, hissing at the ducks all day long.",
        "Hello.", "Twelve lazy cats chased sixty quick lizards across the kitchen, then slept "
                  "until the sun rose over the hills and the dogs started to bark again."}) {
    TextHintReport r = apply_text_hint(track, speech.audio, other);
    EXPECT_FALSE(r.applied) << other << ": quality " << r.quality;
    EXPECT_NE(r.warning.find("does not seem to match"), std::string::npos) << r.warning;
    EXPECT_EQ(track.frames, before.frames);
  }
}

TEST_F(TextHint, EmptyTextSilenceAndBadVoice) {
  MotionTrack track = open_mouth_track(samples());
  const MotionTrack before = track;
  TextHintReport r = apply_text_hint(track, speech.audio, "  \n");
  EXPECT_FALSE(r.applied);
  EXPECT_NE(r.warning.find("empty"), std::string::npos);
  std::vector<float> silence(speech.audio.size(), 0.f);
  r = apply_text_hint(track, silence, kText);
  EXPECT_FALSE(r.applied);
  EXPECT_FALSE(r.warning.empty());
  EXPECT_EQ(track.frames, before.frames);
  TextHintParams params;
  params.voice.voice = "no-such-voice";
  EXPECT_THROW(apply_text_hint(track, speech.audio, kText, params), parla::InputError);
}

}  // namespace
