// critic/heads.h: the three Talking-Critic heads as LibTorch modules, the input tensors
// they read, and their weight files. Private to critic/, train/ (training) and tests:
// it includes <torch/torch.h>, which costs ~60 s per translation unit.
//
//   LS (SyncNet-style): an audio tower over 0.2 s of log-mel (20 rows at 100 Hz) and a
//      mouth tower over 5 motion frames of the 7 visible mouth channels, each giving an
//      L2-normalised 64-d embedding; distance = Euclidean, small when in sync.
//   MN: dilated 1-D convolutions over motion (20 channels + their deltas) and prosody
//      (energy, voicing, F0) of a window of motion frames → one naturalness logit.
//   VQ: a small CNN on the face crop with its change from the previous frame, plus one
//      on the mouth crop → one quality logit.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <span>
#include <string>

#include "audio/audio.h"
#include "core/core.h"
#include "critic/critic.h"

namespace parla::critic {

// ---------------------------------------------------------------------------------
// Inputs.

inline constexpr int kLsChannels = 7;            // jawOpen .. mouthRollLower (tongue unseen)
inline constexpr int kLsMotionFrames = 5;        // mouth frames per LS window
inline constexpr int kLsAudioRows = 20;          // 0.2 s of 100 Hz log-mel
inline constexpr int kMnProsody = 3;             // energy, voicing, log F0 per motion frame
inline constexpr int kMnInputs = 2 * kChannelCount + kMnProsody;
inline constexpr int kMnWindow = 100;            // frames of the per-second MN windows (4 s)
inline constexpr int kMnMaxWindow = 250;         // longest window scored at once (10 s)

inline constexpr int kLsPadRows = 4 * (15 + 3);  // silence rows before and after the clip

// Log-mel rows for `motion_frames` frames (4 rows each, digital-silence rows past the
// end), normalised per clip (mean and std per mel bin over the clip), with kLsPadRows
// normalised silence rows before and after: [4T + 2 kLsPadRows, 80].
torch::Tensor ls_audio_rows(const audio::Features& features, std::int64_t motion_frames);
// The 7 visible mouth channels normalised per clip (minus the median, over the spread
// with a floor, so a still mouth stays near 0): [T, 7].
torch::Tensor ls_mouth_rows(const MotionTrack& motion);
torch::Tensor ls_mouth_rows(const torch::Tensor& motion);  // motion: [T, 20]
// Windows centred on frames t (5 mouth frames t-2..t+2; edges repeat) → [N, 5, 7].
torch::Tensor ls_mouth_windows(const torch::Tensor& mouth_rows, const torch::Tensor& frames);
// The audio tower runs once over a clip's rows (one output position per 4 rows = per
// motion frame); the window of motion frame t at offset k starts at this position.
constexpr std::int64_t ls_audio_position(std::int64_t frame, int offset) {
  return frame + offset - 2 + kLsPadRows / 4;
}

// Prosody per motion frame [T, 3]: energy (dB/20 + 3), voicing, log2(F0/150) (0 unvoiced).
torch::Tensor mn_prosody(const audio::Features& features, std::int64_t motion_frames);
// Motion [T, 20] (raw channel units) + prosody [T, 3] → [43, T] raw model input
// (motion, motion deltas, prosody), not yet normalised by the head's statistics.
torch::Tensor mn_input(const torch::Tensor& motion, const torch::Tensor& prosody);
torch::Tensor motion_tensor(const MotionTrack& motion);  // [T, 20] float
// Speech flag per motion frame from the features' voice activity (any of 4 rows).
std::vector<bool> speech_per_motion_frame(const audio::Features& features,
                                          std::int64_t motion_frames);

// Face crop (now and before) and mouth crop → [6, 64, 64] and [3, 32, 32] in about −1..1.
torch::Tensor vq_face_input(const Image& face, const Image& previous_face);
torch::Tensor vq_mouth_input(const Image& mouth);
// The same from stored bytes: [..., 6, 64, 64] (now, before) and [..., 3, 32, 32] uint8.
torch::Tensor vq_face_from_bytes(const torch::Tensor& bytes);
torch::Tensor vq_mouth_from_bytes(const torch::Tensor& bytes);
torch::Tensor image_bytes(const Image& image);  // [3, H, W] uint8

// ---------------------------------------------------------------------------------
// Heads.

class LsHeadImpl : public torch::nn::Module {
 public:
  LsHeadImpl();
  // rows: [R, 80] (ls_audio_rows) → [R / 4, 128] audio sequence at the motion frame rate.
  torch::Tensor audio_sequence(const torch::Tensor& rows);
  // sequence [P, 128], window start positions [N] (ls_audio_position) → [N, 64].
  torch::Tensor embed_audio(const torch::Tensor& sequence, const torch::Tensor& positions);
  torch::Tensor embed_mouth(const torch::Tensor& windows);  // [N, 5, 7] → [N, 64]
  // Score scale: score = 100 σ((confidence_at_0 − calibration[0]) / calibration[1]).
  torch::Tensor calibration;  // [2]

 private:
  torch::nn::Conv1d audio1{nullptr}, audio2{nullptr}, audio3{nullptr};
  torch::nn::Linear audio_fc1{nullptr}, audio_fc2{nullptr};
  torch::nn::Linear mouth_fc1{nullptr}, mouth_fc2{nullptr}, mouth_fc3{nullptr};
};
TORCH_MODULE(LsHead);

class MnHeadImpl : public torch::nn::Module {
 public:
  MnHeadImpl();
  // x: [B, 43, W] raw (mn_input), mask: [B, W] (1 = frame present) → logits [B].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) {
    return pool_logit(frame_features(x, mask), mask);
  }
  // The two halves: per-frame features [B, 64, W], and the logit of the frames that
  // `mask` keeps (any sub-range of a window scores that stretch).
  torch::Tensor frame_features(const torch::Tensor& x, const torch::Tensor& mask);
  torch::Tensor pool_logit(const torch::Tensor& features, const torch::Tensor& mask);
  torch::Tensor input_mean, input_std;  // [43] normalisation of the training naturals
  // Score scale: score = 100 σ((logit − calibration[0]) / calibration[1]).
  torch::Tensor calibration;  // [2]

 private:
  torch::nn::Conv1d input_conv{nullptr}, c1{nullptr}, c2{nullptr}, c3{nullptr}, c4{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(MnHead);

class VqHeadImpl : public torch::nn::Module {
 public:
  VqHeadImpl();
  // face: [B, 6, 64, 64], mouth: [B, 3, 32, 32] → logits [B].
  torch::Tensor forward(const torch::Tensor& face, const torch::Tensor& mouth);
  // Score scale: score = 100 σ((logit − calibration[0]) / calibration[1]).
  torch::Tensor calibration;  // [2]

 private:
  torch::nn::Conv2d f1{nullptr}, f2{nullptr}, f3{nullptr}, f4{nullptr};
  torch::nn::Conv2d m1{nullptr}, m2{nullptr}, m3{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(VqHead);

// ---------------------------------------------------------------------------------
// Head outputs → figures (critic/scorer.cpp), shared by the Critic, training and eval.

// Distances [T, 31] between the mouth window of each frame t and the audio window at
// t + k for k = −15..+15 (audio_rows: ls_audio_rows; mouth_rows: ls_mouth_rows).
torch::Tensor ls_distances(LsHead& head, const torch::Tensor& audio_rows,
                           const torch::Tensor& mouth_rows);
// The two halves: audio embeddings of frames −15 .. T+14 ([T + 30, 64]; they depend on
// the audio only, so ranking many motions of one clip computes them once), and the
// distances of a motion's mouth windows to them.
torch::Tensor ls_audio_embeddings(LsHead& head, const torch::Tensor& audio_rows);
torch::Tensor ls_distances_from(LsHead& head, const torch::Tensor& audio_embeddings,
                                const torch::Tensor& mouth_rows);
// Offset, LSE-C, LSE-D, calibrated score, per-second figures from the distances and a
// weight per frame (face confidence × speech).
LsResult ls_result(LsHead& head, const torch::Tensor& distances, std::span<const float> weights);
// MN logits of a whole track (x: mn_input, [43, T]) as the Critic scores it: overall
// 0..100 and, when `per_second` is given, one 0..100 per second.
float mn_overall(MnHead& head, const torch::Tensor& x, std::vector<float>* per_second = nullptr);

// A calibrated score 0..100 from a head's logit or confidence and its calibration [2].
float calibrated_score(const torch::Tensor& calibration, float value);

// Weight files: the module's parameters and buffers plus a "critic_head" tag naming the
// head; loading a file of another kind throws InputError naming it (a file without a
// "calibration" buffer loads with the identity scale). Saving is atomic.
void save_head(torch::nn::Module& head, std::string_view kind, const std::filesystem::path& path);
// Module::load that lets a "calibration" buffer be absent (InputError names `source`).
void load_parameters(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                     const std::string& source);
void load_head(torch::nn::Module& head, std::string_view kind, const std::filesystem::path& path);

}  // namespace parla::critic
