// critic: the Talking-Critic (DESIGN.md "Critic"). It scores any talking-head video —
// Parla's renders or anybody else's — on lip sync (LS), motion naturalness (MN) and
// visual quality (VQ). A video is first analysed (dlib face track → 68 landmarks per
// frame → a MotionTrack estimate with all 20 channels, plus face and mouth crops); three
// small LibTorch heads then score the estimate against the audio, and the crops.
//
//   parla::critic::VideoAnalysis a = parla::critic::analyze_video("talk.mp4", {});
//   parla::critic::Critic critic;                       // loads data/models/critic/*.pt
//   parla::critic::ScoreReport r = critic.score(a, "talk.mp4");
//   parla::write_text_file("r.json", parla::critic::report_to_json({r}));
//   parla::write_text_file("r.html", parla::critic::report_to_html({r}));
//
// The LS and MN heads also take a MotionTrack directly (score_motion), without pixels:
// the experts' preference set ranks thousands of generated candidates that way.
//
// This header holds no LibTorch, dlib or FFmpeg types (critic/heads.h has the torch
// modules). Thread safety: a FaceTracker and a Critic are used from one thread at a
// time; free functions are reentrant. Errors: InputError naming the file for a video
// that cannot be read, has no frames, no audio (and no --audio), or no face at all;
// Error for failures mid-way.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "audio/audio.h"
#include "core/core.h"
#include "video/video.h"

namespace parla::critic {

// ---------------------------------------------------------------------------------
// Video analysis (critic/analysis.cpp, docs/critic.md "Landmarks → channels").

inline constexpr int kFaceCropSize = 64;   // face crop side, pixels (VQ input)
inline constexpr int kMouthCropSize = 32;  // mouth crop side, pixels (VQ input)

struct AnalysisParams {
  int detect_every = 5;            // frames between full face detections (landmarks every frame)
  int detect_max_side = 320;       // detection runs on the frame downscaled to this side, pixels
  bool keep_crops = true;          // store face and mouth crops per frame (VQ needs them)
  std::filesystem::path audio;     // audio file to use instead of the video's own track
  std::function<void(double done_fraction)> progress;  // optional, called now and then
};

// What the tracker saw in one video frame.
struct FaceObservation {
  bool found = false;               // a face was tracked in this frame (else all below unset)
  video::Landmarks landmarks{};     // 68 points, frame pixels
  float yaw_rad = 0, pitch_rad = 0, roll_rad = 0;  // generic 3-D face fit (DESIGN signs)
  float scale_px = 0;               // face size: pixels per face unit of the 3-D fit
  float gaze_x = 0, gaze_y = 0;     // iris offset in the eye opening, −1..1 (DESIGN signs)
  bool gaze_valid = false;          // the iris was measurable (eyes open, enough pixels)
  Image face_crop;                  // kFaceCropSize² around the face (empty unless keep_crops)
  Image mouth_crop;                 // kMouthCropSize² around the mouth (empty unless keep_crops)
};

// Tracks one consistent face through a sequence of frames: full detection on a
// downscaled frame every `detect_every` frames (and whenever the face is lost), the
// detection nearest the previous face box wins (the largest at the start), 68 landmarks
// on every frame from the tracked box. Construction loads dlib's models once per process.
class FaceTracker {
 public:
  explicit FaceTracker(AnalysisParams params = {});
  ~FaceTracker();
  FaceTracker(const FaceTracker&) = delete;
  FaceTracker& operator=(const FaceTracker&) = delete;
  // Frames in order; a frame without a face gives found = false (nothing invented).
  FaceObservation observe(const Image& frame);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Landmark observations (at `source_fps`) → MotionTrack estimate at 25 fps with all 20
// channels, normalised per video (face size, the resting mouth, eye openness, brow
// height) as docs/critic.md describes. `confidence` gets one value per 25 fps frame in
// 0..1 (0 where no face was seen; those frames hold the nearest seen values so the
// track stays continuous). tongueOut cannot be seen in landmarks and stays 0.
MotionTrack estimate_motion(std::span<const FaceObservation> observations, double source_fps,
                            std::vector<float>* confidence = nullptr);

struct VideoAnalysis {
  std::filesystem::path source;               // the video file
  double source_fps = 0;                      // frames per second of the video
  int width = 0, height = 0;                  // video frame size, pixels
  std::vector<FaceObservation> observations;  // one per video frame
  MotionTrack motion;                         // estimate at 25 fps
  std::vector<float> confidence;              // per motion frame, 0..1
  double face_coverage = 0;                   // fraction of video frames with a face
  std::vector<float> pcm;                     // 16 kHz mono audio (the video's or --audio)
  double audio_seconds = 0;
  double video_seconds = 0;
};

// Decodes and analyses a whole video (any container FFmpeg reads). Throws InputError
// naming the file when it cannot be read, has no frames, has no audio (and no
// params.audio), or shows no face in any frame.
VideoAnalysis analyze_video(const std::filesystem::path& path, const AnalysisParams& params);

// The crops VQ looks at (kFaceCropSize², kMouthCropSize²), from a frame and its landmarks:
// a square around the landmarks' box (face) and around the outer lip (mouth).
Image crop_face(const Image& frame, const video::Landmarks& landmarks);
Image crop_mouth(const Image& frame, const video::Landmarks& landmarks);

// ---------------------------------------------------------------------------------
// Scores. Every score is on a 0..100 scale (docs/critic.md "Scales"), calibrated on
// held-out real and rendered videos: the average natural one scores about 88, the
// average one with a fault (offset audio, perturbed motion, degraded frames) about 12.

inline constexpr int kMaxOffsetFrames = 15;  // LS searches offsets −15..+15 motion frames

struct LsResult {
  float score = 0;              // 0..100 from the confidence at offset 0
  int offset_frames = 0;        // audio lead that fits best (+ = audio ahead of the picture)
  float confidence = 0;         // median − min distance over offsets (as SyncNet's LSE-C)
  float min_distance = 0;       // min over offsets of the mean distance (as LSE-D)
  float distance_at_zero = 0;   // mean distance at offset 0
  float confidence_at_zero = 0; // median − distance at offset 0 (what the score maps)
  std::vector<float> offset_curve;  // mean distance per offset −15..+15 (31 values)
  std::vector<float> per_second_score;       // 0..100 per second of video
  std::vector<float> per_second_confidence;  // LSE-C per second
  std::vector<int> per_second_offset;        // best offset per second
};

struct MnStats {
  double blinks_per_minute = 0;
  double head_energy = 0;         // mean squared head angular speed, (rad/s)²
  double head_jerk = 0;           // RMS third derivative of head angles, rad/s³
  double stillness_in_silence = 0;  // head speed in silence / head speed in speech (< 1 is natural)
  double head_prosody_correlation = 0;  // Pearson r of head speed with the energy envelope
  double mouth_in_silence = 0;    // mean jawOpen over silent frames
};

// The readable MN statistics of a track; `speech` and `energy_db` per motion frame.
MnStats motion_statistics(const MotionTrack& motion, const std::vector<bool>& speech,
                          std::span<const float> energy_db);

struct MnResult {
  float score = 0;                         // 0..100
  std::vector<float> per_second_score;     // 0..100
  MnStats stats;
};

struct VqResult {
  float score = 0;                         // 0..100
  std::vector<float> per_second_score;     // 0..100
  float flicker = 0;                       // mean absolute face-crop change between frames, 0..255
  std::vector<int> worst_frames;           // video frame indices, worst first (up to 5)
};

struct ScoreReport {
  std::string name;                 // what was scored (file name)
  double seconds = 0;               // duration scored
  double face_coverage = 1;         // fraction of frames with a face (1 for a MotionTrack)
  LsResult ls;
  MnResult mn;
  std::optional<VqResult> vq;       // absent when there are no pixels (a MotionTrack)
  MotionTrack motion;               // the (estimated) motion scored
  std::vector<float> energy_db;     // audio energy per motion frame, dBFS
  std::vector<std::pair<int, Image>> thumbnails;  // (video frame, face crop) of the worst moments
  std::vector<int> worst_seconds;   // seconds, worst first (by the mean of the three scores)
};

// The audio side of one clip for the LS and MN heads (Critic::prepare_audio), computed
// once when many candidate motions of that clip are ranked. Movable, opaque.
class ClipAudio {
 public:
  ~ClipAudio();
  ClipAudio(ClipAudio&&) noexcept;
  ClipAudio& operator=(ClipAudio&&) noexcept;
  std::int64_t frames() const;  // motion frames it was prepared for

 private:
  friend class Critic;
  ClipAudio();
  struct State;
  std::unique_ptr<State> state_;
};

struct CriticParams {
  std::filesystem::path models_dir;  // holds ls.pt, mn.pt, vq.pt; empty = data/models/critic
  int threads = 0;                   // LibTorch threads; 0 = leave as is
};

// The three heads, loaded once. Throws InputError naming the file when a weight file is
// missing or not a critic head.
class Critic {
 public:
  explicit Critic(CriticParams params = {});
  ~Critic();
  Critic(const Critic&) = delete;
  Critic& operator=(const Critic&) = delete;

  // A video analysis: LS and MN on the estimated motion, VQ on the crops.
  ScoreReport score(const VideoAnalysis& analysis, const std::string& name);
  // A MotionTrack (25 fps) with its audio features: LS and MN only.
  ScoreReport score_motion(const MotionTrack& motion, const audio::Features& features,
                           const std::string& name);
  // The heads alone, for ranking many candidates of one clip (features computed once).
  LsResult score_ls(const MotionTrack& motion, const audio::Features& features);
  MnResult score_mn(const MotionTrack& motion, const audio::Features& features);
  // LS alone on a video analysis and the features of its audio (frames weighted by their
  // tracking confidence, as in `score`): a video's own A/V offset.
  LsResult score_ls(const VideoAnalysis& analysis, const audio::Features& features);
  // The same with the clip's audio prepared once (the motion must have its frame count):
  // what ranking K candidates of one clip costs per candidate.
  ClipAudio prepare_audio(const audio::Features& features, std::int64_t motion_frames);
  LsResult score_ls(const MotionTrack& motion, const ClipAudio& audio);
  MnResult score_mn(const MotionTrack& motion, const ClipAudio& audio);
  // The frame head alone on tracked frames (crops kept) of a video at `fps`: what the
  // preference set asks of cheap renders of candidate motions.
  VqResult score_vq(std::span<const FaceObservation> observations, double fps);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---------------------------------------------------------------------------------
// Reports (critic/report.cpp; the JSON schema is in docs/critic.md).

// One object for one report, {"videos": [...], "ranking": [...]} for several.
std::string report_to_json(std::span<const ScoreReport> reports);
// One self-contained HTML page (inline SVG plots and PNG thumbnails, no network).
std::string report_to_html(std::span<const ScoreReport> reports);
// A readable summary for the terminal: one report in detail, several as a ranking table.
std::string report_to_text(std::span<const ScoreReport> reports);

}  // namespace parla::critic
