// Landmark observations → MotionTrack estimate: per-frame lip, eye and brow geometry in
// face units, normalised per video by robust percentiles (the resting mouth, the open
// eyes, the median brow height and head position), resampled to 25 fps. The constants
// are calibrated against Parla's own renderer (docs/critic.md "Video analysis").
#include <algorithm>
#include <cmath>

#include "critic/face_track_internal.h"
#include "video/video.h"

namespace parla::critic {
namespace {

// Lip aperture (face units) per unit of jawOpen: the renderer drops the lower lip 0.30
// and lifts the upper 0.035 mid-mouth (video/rig_deformers.cpp), a little less at the
// landmarks beside the middle.
constexpr float kGapPerJaw = 0.34f;
// Chin drop below the rigid fit's chin (face units) per unit of jawOpen (the renderer
// drops the chin 0.29; the fit follows the jaw's corners part of the way).
constexpr float kChinPerJaw = 0.23f;
// Weight of the chin in jawOpen for a frontal head, and the turn (radians from the
// video's median pose) at which it reaches 0.
constexpr float kChinWeight = 0.4f, kChinTurnLimit = 0.25f;
// Lip thinning (face units, both lips) at mouthClose = 1: 0.03 each lip.
constexpr float kThinningPerClose = 0.035f;
// Aperture (face units) above the resting gap at which lips no longer count as together.
constexpr float kTogetherGap = 0.04f;
// Mouth width ratio change per unit of mouthStretch (+) and mouthPucker/Funnel (−).
constexpr float kWidthPerStretch = 0.17f;
constexpr float kWidthPerRound = 0.20f;
// Corner rise (face units) per unit of mouthSmile.
constexpr float kRisePerSmile = 0.08f;
// Lower-lip thinning beyond the upper's (face units) per unit of mouthRollLower.
constexpr float kRollPerUnit = 0.04f;
// Eye aspect ratio as a fraction of the open level: above kEyeOpen reads 0, at
// kEyeShut reads 1.
constexpr float kEyeOpen = 0.75f, kEyeShut = 0.4f;
// Brow rise (face units) per unit of browInnerUp, drop per unit of browDown.
constexpr float kBrowRise = 0.08f, kBrowDrop = 0.06f;

float clamp01(float v) { return std::clamp(v, 0.f, 1.f); }

float percentile(std::vector<float> values, double q) {
  if (values.empty()) return 0.f;
  const size_t k = std::min(values.size() - 1, static_cast<size_t>(q * (values.size() - 1) + 0.5));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

float eye_aspect(const video::Landmarks& l, int first) {
  auto d = [&](int a, int b) { return std::hypot(l[a].x - l[b].x, l[a].y - l[b].y); };
  const float width = std::max(1.f, d(first, first + 3));
  return (d(first + 1, first + 5) + d(first + 2, first + 4)) / (2.f * width);
}

}  // namespace

FrameFeatures frame_features(const FaceObservation& obs, float unit_ratio) {
  const video::Landmarks& l = obs.landmarks;
  FrameFeatures f;
  const video::FaceFrame frame = video::face_frame(l);
  const float unit = std::max(1e-3f, obs.scale_px * unit_ratio);
  const float c = std::cos(frame.angle_rad), s = std::sin(frame.angle_rad);
  // Face-frame coordinates with the fit's unit: the eye line tilt removed.
  auto p = [&](int i) {
    const float dx = l[i].x - frame.origin.x, dy = l[i].y - frame.origin.y;
    return video::Point{(dx * c + dy * s) / unit, (-dx * s + dy * c) / unit};
  };
  f.lip_gap = ((p(66).y - p(62).y) + (p(67).y - p(61).y) + (p(65).y - p(63).y)) / 3.f;
  f.chin_drop = fit_head_pose(l).chin_residual / unit_ratio;
  const float cos_yaw = std::max(0.6f, std::cos(obs.yaw_rad));
  f.mouth_width = std::hypot(p(54).x - p(48).x, p(54).y - p(48).y) / cos_yaw;
  f.corner_height = 0.5f * (p(48).y + p(54).y) - p(33).y;
  f.upper_lip = p(62).y - p(51).y;
  f.lower_lip = p(57).y - p(66).y;
  f.eye_open[0] = eye_aspect(l, 36);
  f.eye_open[1] = eye_aspect(l, 42);
  const float eye_top = (p(37).y + p(38).y + p(43).y + p(44).y) / 4.f;
  f.brow_inner = eye_top - (p(20).y + p(21).y + p(22).y + p(23).y) / 4.f;
  float brows = 0;
  for (int i = 17; i <= 26; ++i) brows += p(i).y;
  f.brow_all = eye_top - brows / 10.f;
  float cx = 0, cy = 0;
  for (int i : {0, 16, 27, 30, 36, 39, 42, 45}) cx += l[i].x, cy += l[i].y;
  f.centre_x = cx / 8.f, f.centre_y = cy / 8.f;
  f.face_width_px = std::hypot(l[16].x - l[0].x, l[16].y - l[0].y);
  return f;
}

MotionTrack estimate_motion(std::span<const FaceObservation> observations, double source_fps,
                            std::vector<float>* confidence) {
  if (!(source_fps > 0)) throw Error("estimate_motion: source fps must be > 0");
  const size_t n = observations.size();
  std::vector<size_t> seen;
  std::vector<float> ratios;
  for (size_t i = 0; i < n; ++i) {
    if (!observations[i].found) continue;
    seen.push_back(i);
    const float interocular = video::face_frame(observations[i].landmarks).interocular_px;
    ratios.push_back(interocular / std::max(1e-3f, observations[i].scale_px));
  }
  // The unit: the fit's scale (robust to turns and leaning in) times the video's median
  // inter-ocular distance per unit of it, so face units are this person's eye distance
  // as in the renderer's deformers.
  const float unit_ratio = ratios.empty() ? 1.f : percentile(ratios, 0.5);
  std::vector<FrameFeatures> features(n);
  for (size_t i : seen) features[i] = frame_features(observations[i], unit_ratio);
  MotionTrack track;
  track.fps = kMotionFps;
  const size_t out_count =
      n == 0 ? 0
             : std::max<size_t>(1, static_cast<size_t>(std::lround(n * kMotionFps / source_fps)));
  if (confidence) confidence->assign(out_count, 0.f);
  if (seen.empty()) {
    track.frames.assign(out_count, neutral_frame());
    return track;
  }

  // Per-video reference levels over the frames with a face.
  auto level = [&](auto member, double q) {
    std::vector<float> v;
    v.reserve(seen.size());
    for (size_t i : seen) v.push_back(member(features[i]));
    return percentile(std::move(v), q);
  };
  const float rest_gap = level([](const FrameFeatures& f) { return f.lip_gap; }, 0.05);
  const float rest_chin = level([](const FrameFeatures& f) { return f.chin_drop; }, 0.05);
  const float rest_lips =
      level([](const FrameFeatures& f) { return f.upper_lip + f.lower_lip; }, 0.5);
  const float rest_upper = level([](const FrameFeatures& f) { return f.upper_lip; }, 0.5);
  const float rest_lower = level([](const FrameFeatures& f) { return f.lower_lip; }, 0.5);
  const float rest_width = level([](const FrameFeatures& f) { return f.mouth_width; }, 0.5);
  const float rest_corner = level([](const FrameFeatures& f) { return f.corner_height; }, 0.5);
  const float open_eye[2] = {level([](const FrameFeatures& f) { return f.eye_open[0]; }, 0.5),
                             level([](const FrameFeatures& f) { return f.eye_open[1]; }, 0.5)};
  const float rest_brow_inner = level([](const FrameFeatures& f) { return f.brow_inner; }, 0.5);
  const float rest_brow_all = level([](const FrameFeatures& f) { return f.brow_all; }, 0.5);
  const float mid_x = level([](const FrameFeatures& f) { return f.centre_x; }, 0.5);
  const float mid_y = level([](const FrameFeatures& f) { return f.centre_y; }, 0.5);
  const float face_width =
      std::max(1.f, level([](const FrameFeatures& f) { return f.face_width_px; }, 0.5));
  std::vector<float> scales, yaws, pitches, rolls, gx, gy;
  for (size_t i : seen) {
    scales.push_back(observations[i].scale_px);
    yaws.push_back(observations[i].yaw_rad);
    pitches.push_back(observations[i].pitch_rad);
    rolls.push_back(observations[i].roll_rad);
    if (observations[i].gaze_valid) {
      gx.push_back(observations[i].gaze_x);
      gy.push_back(observations[i].gaze_y);
    }
  }
  const float mid_scale = std::max(1e-3f, percentile(scales, 0.5));
  const float mid_yaw = percentile(yaws, 0.5), mid_pitch = percentile(pitches, 0.5);
  const float mid_roll = percentile(rolls, 0.5);
  const float mid_gx = percentile(gx, 0.5), mid_gy = percentile(gy, 0.5);

  // Channel values per source frame; frames without a face copy the nearest seen one.
  std::vector<MotionFrame> source(n, neutral_frame());
  std::vector<float> source_confidence(n, 0.f);
  float last_gx = 0.f, last_gy = 0.f;
  for (size_t i : seen) {
    const FrameFeatures& f = features[i];
    const FaceObservation& o = observations[i];
    MotionFrame& m = source[i];
    const float gap = f.lip_gap - rest_gap;
    // The lips part and the chin drops. The chin also sees the jaw when the lips stay
    // together, but its residual from the rigid fit grows with the head's turn away
    // from the video's median pose, so it counts less there.
    const float turn = std::hypot(o.yaw_rad - mid_yaw, o.pitch_rad - mid_pitch);
    const float chin_weight = kChinWeight * (1.f - clamp01(turn / kChinTurnLimit));
    m[index(Channel::JawOpen)] =
        clamp01((1.f - chin_weight) * clamp01(gap / kGapPerJaw) +
                chin_weight * clamp01((f.chin_drop - rest_chin) / kChinPerJaw));
    const float thinning = rest_lips - (f.upper_lip + f.lower_lip);
    const float together = 1.f - clamp01(gap / kTogetherGap);
    m[index(Channel::MouthClose)] = clamp01(thinning / kThinningPerClose) * together;
    const float width = f.mouth_width / std::max(1e-3f, rest_width) - 1.f;
    const float round = clamp01(-width / kWidthPerRound);
    const float open = clamp01(gap / (0.5f * kGapPerJaw));
    m[index(Channel::MouthFunnel)] = round * open;
    m[index(Channel::MouthPucker)] = round * (1.f - open);
    m[index(Channel::MouthStretch)] = clamp01(width / kWidthPerStretch);
    m[index(Channel::MouthSmile)] = clamp01((rest_corner - f.corner_height) / kRisePerSmile);
    const float roll_in = (rest_lower - f.lower_lip) - std::max(0.f, rest_upper - f.upper_lip);
    m[index(Channel::MouthRollLower)] = clamp01(roll_in / kRollPerUnit);
    m[index(Channel::TongueOut)] = 0.f;
    for (int eye = 0; eye < 2; ++eye) {
      const float ratio = f.eye_open[eye] / std::max(1e-3f, open_eye[eye]);
      m[index(eye == 0 ? Channel::EyeBlinkRight : Channel::EyeBlinkLeft)] =
          clamp01((kEyeOpen - ratio) / (kEyeOpen - kEyeShut));
    }
    if (o.gaze_valid) last_gx = o.gaze_x - mid_gx, last_gy = o.gaze_y - mid_gy;
    m[index(Channel::EyeLookX)] = std::clamp(last_gx, -1.f, 1.f);
    m[index(Channel::EyeLookY)] = std::clamp(last_gy, -1.f, 1.f);
    m[index(Channel::BrowInnerUp)] = clamp01((f.brow_inner - rest_brow_inner) / kBrowRise);
    m[index(Channel::BrowDown)] = clamp01((rest_brow_all - f.brow_all) / kBrowDrop);
    m[index(Channel::HeadYaw)] = o.yaw_rad - mid_yaw;
    m[index(Channel::HeadPitch)] = o.pitch_rad - mid_pitch;
    m[index(Channel::HeadRoll)] = o.roll_rad - mid_roll;
    m[index(Channel::HeadX)] = (f.centre_x - mid_x) / face_width;
    m[index(Channel::HeadY)] = -(f.centre_y - mid_y) / face_width;
    m[index(Channel::HeadScale)] = std::log(std::max(1e-3f, o.scale_px) / mid_scale);
    // Confidence: full for a frontal face of a fair size, less when turned or tiny.
    const float turned = 1.f - clamp01((std::abs(o.yaw_rad) - 0.5f) / 0.4f);
    const float size = clamp01(o.scale_px / 30.f);
    source_confidence[i] = std::max(0.05f, turned * size);
  }
  for (size_t i = 0, k = 0; i < n; ++i) {  // k: index into seen of the next seen frame
    if (observations[i].found) {
      ++k;
      continue;
    }
    size_t nearest = k < seen.size() ? seen[k] : seen.back();
    if (k > 0 && (k >= seen.size() || i - seen[k - 1] <= seen[k] - i)) nearest = seen[k - 1];
    source[i] = source[nearest];
  }

  // Resample to 25 fps (linear between neighbouring source frames).
  track.frames.resize(out_count);
  for (size_t j = 0; j < out_count; ++j) {
    const double position = j * source_fps / kMotionFps;
    const size_t a = std::min(n - 1, static_cast<size_t>(position));
    const size_t b = std::min(n - 1, a + 1);
    const float t = static_cast<float>(std::clamp(position - a, 0.0, 1.0));
    for (int ch = 0; ch < kChannelCount; ++ch) {
      track.frames[j][ch] = source[a][ch] + t * (source[b][ch] - source[a][ch]);
    }
    if (confidence) {
      (*confidence)[j] = source_confidence[a] + t * (source_confidence[b] - source_confidence[a]);
    }
  }
  track.clamp_to_ranges();
  return track;
}

}  // namespace parla::critic
