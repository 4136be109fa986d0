// Video analysis on real recordings and on bad inputs: faces found, blinks and jaw
// motion that follow the talk, every input error naming the file, partly faceless and
// non-MP4 videos, and estimate_motion's resampling and gap filling.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "critic/critic.h"
#include "tests/support/testing.h"
#include "video/video.h"

namespace parla::critic {
namespace {

namespace fs = std::filesystem;
using testing::ffmpeg;
using testing::shell_quote;

fs::path katie() { return testing::shared_media_dir() / "video" / "hdtf_katiehill.mp4"; }
fs::path grid_clip() {
  return testing::shared_media_dir() / "realtalk" / "osalinasv_lipnet__s1_bbbf8p.mp4";
}

// Blinks: both eyes past half closed, counted once until they open again.
int count_blinks(const MotionTrack& track) {
  int blinks = 0;
  bool closed = false;
  for (const MotionFrame& f : track.frames) {
    const float b = 0.5f * (f[index(Channel::EyeBlinkLeft)] + f[index(Channel::EyeBlinkRight)]);
    if (!closed && b > 0.5f) ++blinks, closed = true;
    if (b < 0.3f) closed = false;
  }
  return blinks;
}

double stddev(const MotionTrack& track, Channel c) {
  double sum = 0, sum2 = 0;
  for (const MotionFrame& f : track.frames) sum += f[index(c)], sum2 += f[index(c)] * f[index(c)];
  const double n = track.frames.size(), mean = sum / n;
  return std::sqrt(std::max(0.0, sum2 / n - mean * mean));
}

// Expects InputError whose message names `name` and contains `part`.
template <typename F>
void expect_input_error(F&& call, const std::string& name, const std::string& part) {
  try {
    call();
    ADD_FAILURE() << "no error for " << name;
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(name), std::string::npos) << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(AnalyzeVideo, RealTalkingHead) {
  const VideoAnalysis a = analyze_video(katie(), {});
  ASSERT_EQ(a.observations.size(), 200u);
  EXPECT_DOUBLE_EQ(a.source_fps, 25.0);
  EXPECT_EQ(a.width, 512);
  EXPECT_GT(a.face_coverage, 0.97);
  EXPECT_NEAR(a.video_seconds, 8.0, 0.05);
  EXPECT_NEAR(a.audio_seconds, 8.0, 0.1);
  EXPECT_EQ(a.motion.frame_count(), 200);
  ASSERT_EQ(a.confidence.size(), 200u);
  for (float c : a.confidence) EXPECT_GT(c, 0.f);
  // A lively speaker: the jaw moves, she blinks a few times, the head turns.
  EXPECT_GT(stddev(a.motion, Channel::JawOpen), 0.1);
  const int blinks = count_blinks(a.motion);
  EXPECT_GE(blinks, 1);
  EXPECT_LE(blinks, 6);
  EXPECT_GT(stddev(a.motion, Channel::HeadYaw), 0.05);
  EXPECT_LT(stddev(a.motion, Channel::HeadX), 0.3);
  // Crops are kept at their sizes, and landmarks lie on the face in the frame.
  const FaceObservation& o = a.observations[100];
  ASSERT_TRUE(o.found);
  EXPECT_EQ(o.face_crop.width, kFaceCropSize);
  EXPECT_EQ(o.face_crop.height, kFaceCropSize);
  EXPECT_EQ(o.mouth_crop.width, kMouthCropSize);
  EXPECT_GT(o.scale_px, 60.f);
  EXPECT_LT(o.landmarks[36].x, o.landmarks[45].x);  // subject's right eye on image left
}

TEST(AnalyzeVideo, JawFollowsSpeech) {
  // GRID: silence, a short command, silence. The mouth is open while speaking.
  const VideoAnalysis a = analyze_video(grid_clip(), {.keep_crops = false});
  EXPECT_GT(a.face_coverage, 0.97);
  double speech = 0, silence = 0;
  int n_speech = 0, n_silence = 0;
  for (int i = 0; i < a.motion.frame_count(); ++i) {
    double energy = 0;
    const size_t s0 = i * 640, s1 = std::min(a.pcm.size(), s0 + 640);
    for (size_t k = s0; k < s1; ++k) energy += a.pcm[k] * a.pcm[k];
    const double db = 10 * std::log10(1e-10 + energy / 640);
    const float jaw = a.motion.value(i, Channel::JawOpen);
    if (db > -30) speech += jaw, ++n_speech;
    if (db < -35) silence += jaw, ++n_silence;
  }
  ASSERT_GT(n_speech, 10);
  ASSERT_GT(n_silence, 3);
  EXPECT_GT(speech / n_speech, silence / n_silence + 0.1)
      << "speech " << speech / n_speech << " silence " << silence / n_silence;
}

TEST(AnalyzeVideo, BadInputsNameTheFile) {
  testing::ScratchDir dir;
  expect_input_error([&] { analyze_video(dir / "missing.mp4", {}); }, "missing.mp4", "");
  const fs::path text = dir / "notes.mp4";
  write_text_file(text, "not a video at all\n");
  expect_input_error([&] { analyze_video(text, {}); }, "notes.mp4", "");
  const fs::path wav = dir / "tone.wav";
  testing::make_tone(wav, 440, 1.0);
  expect_input_error([&] { analyze_video(wav, {}); }, "tone.wav", "video");

  // No audio track: an error that says what to do, then fine with --audio.
  const fs::path mute = dir / "mute.mp4";
  ffmpeg("-i " + shell_quote(katie().string()) + " -t 2 -an -c:v copy " +
         shell_quote(mute.string()));
  expect_input_error([&] { analyze_video(mute, {}); }, "mute.mp4",
                     "has no audio track; give --audio FILE");
  const fs::path speech = dir / "speech.wav";
  ffmpeg("-i " + shell_quote(katie().string()) + " -t 2 -vn -ac 1 -ar 16000 " +
         shell_quote(speech.string()));
  const VideoAnalysis with_audio = analyze_video(mute, {.keep_crops = false, .audio = speech});
  EXPECT_NEAR(with_audio.audio_seconds, 2.0, 0.05);
  EXPECT_GT(with_audio.face_coverage, 0.9);

  // Audio much shorter than the picture.
  const fs::path short_audio = dir / "short.wav";
  testing::make_tone(short_audio, 300, 1.0);
  expect_input_error([&] { analyze_video(mute, {.audio = short_audio}); }, "short.wav", "shorter");
  // A little shorter is fine (0.5 s or 10 %).
  const fs::path nearly = dir / "nearly.wav";
  testing::make_tone(nearly, 300, 1.7);
  EXPECT_NO_THROW(analyze_video(mute, {.keep_crops = false, .audio = nearly}));

  // No face anywhere: a test pattern with a tone.
  const fs::path pattern = dir / "pattern.mp4";
  ffmpeg(
      "-f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=16000 "
      "-t 1 -pix_fmt yuv420p -c:v libx264 -c:a aac " +
      shell_quote(pattern.string()));
  expect_input_error([&] { analyze_video(pattern, {}); }, "pattern.mp4", "no face");

  // A video stream without a single frame.
  const fs::path empty = dir / "empty.mkv";
  ffmpeg(
      "-f lavfi -i color=size=64x64:rate=25 -f lavfi -i sine=sample_rate=16000 -t 1 "
      "-frames:v 0 -c:v libx264 -c:a pcm_s16le " +
      shell_quote(empty.string()));
  expect_input_error([&] { analyze_video(empty, {}); }, "empty.mkv", "");
}

TEST(AnalyzeVideo, PartlyFacelessVideo) {
  testing::ScratchDir dir;
  const fs::path mixed = dir / "mixed.mp4";
  // 2 s of face, 1 s of black, with the talk's audio throughout.
  ffmpeg("-i " + shell_quote(katie().string()) +
         " -f lavfi -i color=black:size=512x512:rate=25 -filter_complex "
         "\"[0:v]trim=0:2,setpts=PTS-STARTPTS[a];[1:v]trim=0:1,setpts=PTS-STARTPTS[b];"
         "[a][b]concat=n=2:v=1:a=0[v]\" -map \"[v]\" -map 0:a -t 3 -c:v libx264 -pix_fmt yuv420p "
         "-c:a aac " +
         shell_quote(mixed.string()));
  const VideoAnalysis a = analyze_video(mixed, {.keep_crops = false});
  ASSERT_EQ(a.observations.size(), 75u);
  EXPECT_NEAR(a.face_coverage, 50.0 / 75.0, 0.04);
  for (int i = 0; i < 48; ++i) EXPECT_TRUE(a.observations[i].found) << i;
  for (int i = 52; i < 75; ++i) EXPECT_FALSE(a.observations[i].found) << i;
  // Faceless frames: confidence 0, the last seen values held.
  ASSERT_EQ(a.motion.frame_count(), 75);
  EXPECT_EQ(a.confidence[70], 0.f);
  EXPECT_GT(a.confidence[10], 0.f);
  EXPECT_EQ(a.motion.frames[70], a.motion.frames[74]);
}

TEST(AnalyzeVideo, OtherContainers) {
  testing::ScratchDir dir;
  const std::string in = "-i " + shell_quote(katie().string()) + " -t 1.2 -vf scale=256:256 ";
  ffmpeg(in + "-c:v libx264 -c:a aac " + shell_quote((dir / "talk.mkv").string()));
  ffmpeg(in + "-c:v libvpx -deadline realtime -cpu-used 8 -b:v 1M -c:a libopus " +
         shell_quote((dir / "talk.webm").string()));
  ffmpeg(in + "-c:v mpeg4 -q:v 3 -c:a pcm_s16le " + shell_quote((dir / "talk.avi").string()));
  ffmpeg(in + "-c:v libx264 -c:a aac " + shell_quote((dir / "talk.mov").string()));
  for (const char* name : {"talk.mkv", "talk.webm", "talk.avi", "talk.mov"}) {
    SCOPED_TRACE(name);
    const VideoAnalysis a = analyze_video(dir / name, {.keep_crops = false});
    EXPECT_NEAR(static_cast<double>(a.observations.size()), 30.0, 1.0);
    EXPECT_GT(a.face_coverage, 0.9);
    EXPECT_NEAR(a.audio_seconds, 1.2, 0.1);
  }
}

TEST(FaceTracker, EmptyAndFlatFramesHaveNoFace) {
  FaceTracker tracker({.keep_crops = false});
  Image black(320, 240);
  EXPECT_FALSE(tracker.observe(black).found);
  EXPECT_FALSE(tracker.observe(Image{}).found);
}

TEST(FaceTracker, KeepsOneFaceWhenTwoAreVisible) {
  // The talk beside a half-size copy of itself: the larger face is taken at the start
  // and kept (nearest to the last one) through detections every 5 frames.
  video::VideoReader reader(katie());
  FaceTracker tracker({.keep_crops = false});
  Image frame;
  for (int i = 0; i < 20 && reader.read_frame(frame); ++i) {
    const Image small = video::resize(frame, frame.width / 2, frame.height / 2);
    Image both(frame.width + small.width, frame.height);
    for (int y = 0; y < frame.height; ++y) {
      std::copy_n(frame.pixel(0, y), 3 * frame.width, both.pixel(0, y));
      if (y < small.height)
        std::copy_n(small.pixel(0, y), 3 * small.width, both.pixel(frame.width, y));
    }
    const FaceObservation o = tracker.observe(both);
    ASSERT_TRUE(o.found) << i;
    for (const video::Point& p : o.landmarks) EXPECT_LT(p.x, frame.width) << i;
    EXPECT_GT(o.scale_px, 60.f) << i;
  }
}

TEST(FaceTracker, LandmarksFollowHalfAPixel) {
  // A real frame at half size, twice: 2×2 blocks averaged from even columns (A) and from
  // odd ones (B), the same blur, B's picture half a pixel to the left of A's. Landmarks
  // on whole pixels (dlib's own rounding) move 0 or 1 px, half and half (SD 0.53 px);
  // the tracker's move every point about half a pixel (SD 0.28 px).
  video::VideoReader reader(katie());
  Image frame;
  ASSERT_TRUE(reader.read_frame(frame));
  auto half = [&](int offset) {
    Image out(frame.width / 2 - 1, frame.height / 2);
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) {
        for (int c = 0; c < 3; ++c) {
          int sum = 0;
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx) sum += frame.pixel(2 * x + offset + dx, 2 * y + dy)[c];
          out.pixel(x, y)[c] = static_cast<std::uint8_t>((sum + 2) / 4);
        }
      }
    }
    return out;
  };
  FaceTracker first({.keep_crops = false}), second({.keep_crops = false});
  const FaceObservation a = first.observe(half(0)), b = second.observe(half(1));
  ASSERT_TRUE(a.found && b.found);
  double sum = 0, sum2 = 0, vertical = 0;
  for (int i = 0; i < video::kLandmarkCount; ++i) {
    const double dx = b.landmarks[i].x - a.landmarks[i].x;
    sum += dx, sum2 += dx * dx, vertical += b.landmarks[i].y - a.landmarks[i].y;
  }
  const double n = video::kLandmarkCount, mean = sum / n;
  const double spread = std::sqrt(std::max(0.0, sum2 / n - mean * mean));
  std::printf("half-pixel shift: landmarks move %.3f px (SD %.3f), vertically %.3f\n", mean,
              spread, vertical / n);
  EXPECT_NEAR(mean, -0.5, 0.2);
  EXPECT_LT(spread, 0.4);
  EXPECT_NEAR(vertical / n, 0.0, 0.2);
}

FaceObservation fake_observation(float jaw_px) {
  FaceObservation o;
  o.found = true;
  // A frontal generic-looking face: eyes 60 px apart, mouth below.
  const float cx = 200, cy = 200, u = 60;
  for (int i = 0; i < 17; ++i) {
    const float a = 3.14159f * i / 16;
    o.landmarks[i] = {cx - 1.1f * u * std::cos(a), cy + 1.8f * u * std::sin(a) * (i > 0 && i < 16)};
  }
  for (int i = 17; i < 68; ++i)
    o.landmarks[i] = {cx + (i % 7 - 3) * 8.f, cy - 10.f + (i - 17) * 2.f};
  for (int k = 0; k < 6; ++k) {  // eyes: corners 36/39 and 42/45, lids between
    const float dx = (k == 0 ? -12.f : k == 3 ? 12.f : (k == 1 || k == 5) ? -4.f : 4.f);
    const float dy = k == 0 || k == 3 ? 0.f : (k < 3 ? -5.f : 5.f);
    o.landmarks[36 + k] = {cx - 0.5f * u + dx, cy + dy};
    o.landmarks[42 + k] = {cx + 0.5f * u + dx, cy + dy};
  }
  o.landmarks[66].y = o.landmarks[62].y + jaw_px;
  o.scale_px = u;
  return o;
}

TEST(EstimateMotion, ResamplesAndHoldsThroughGaps) {
  std::vector<FaceObservation> obs;
  for (int i = 0; i < 60; ++i) obs.push_back(fake_observation(i % 10 == 0 ? 15.f : 0.f));
  for (int i = 20; i < 30; ++i) obs[i] = FaceObservation{};
  std::vector<float> confidence;
  const MotionTrack track = estimate_motion(obs, 30.0, &confidence);
  EXPECT_EQ(track.fps, kMotionFps);
  EXPECT_EQ(track.frame_count(), 50);  // 2 s
  ASSERT_EQ(confidence.size(), 50u);
  EXPECT_EQ(confidence[20], 0.f);  // source frame 24: no face
  EXPECT_GT(confidence[5], 0.f);
  for (const MotionFrame& f : track.frames) {
    EXPECT_EQ(f[index(Channel::TongueOut)], 0.f);
    for (int c = 0; c < kChannelCount; ++c) EXPECT_TRUE(std::isfinite(f[c]));
  }
  EXPECT_TRUE(estimate_motion({}, 25.0).frames.empty());
}

}  // namespace
}  // namespace parla::critic
