// train/critic_data.h: the critic's training and held-out data (private to train/):
// motion clips for LS and MN (corpus labels, corpus clips rendered on portraits and
// tracked back, real talking faces tracked) and face/mouth crop pairs for VQ (clean and
// degraded frames of real videos and renders). Built once into <out_dir>/data and reused.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "critic/critic.h"
#include "critic/degrade.h"
#include "critic/heads.h"
#include "train/train.h"

namespace parla::train {

enum class MotionSource : int { Labels = 0, Tracked = 1, Real = 2 };

// One clip as the LS and MN heads read it.
struct CriticClip {
  torch::Tensor audio_rows;  // [4T + 2 kLsPadRows, 80] (critic::ls_audio_rows)
  torch::Tensor motion;      // [T, 20]
  torch::Tensor prosody;     // [T, 3] (critic::mn_prosody)
  torch::Tensor weight;      // [T] LS frame weight: face confidence × (speech ? 1 : 0.1)
  torch::Tensor speech;      // [T] 1 where the audio holds speech
  MotionSource source = MotionSource::Labels;
  Split split = Split::Train;
  std::string name;
  std::int64_t frames() const { return motion.size(0); }
};

// Face/mouth crop pairs: sample 2i is clean, 2i+1 the same frame degraded.
struct VqData {
  torch::Tensor face;      // [N, 6, 64, 64] uint8: crop now (3) and the frame before (3)
  torch::Tensor mouth;     // [N, 3, 32, 32] uint8
  torch::Tensor label;     // [N] 1 clean, 0 degraded
  torch::Tensor type;      // [N] Degradation of a degraded sample, -1 clean
  torch::Tensor split;     // [N] Split
  torch::Tensor real;      // [N] 1 for frames of real videos, 0 renders
  // [N / 2, ...] uint8, from training collectors only: pair i's clean sample once more,
  // its open mouth with another random colour and light (critic::recolour_mouth): the
  // head is taught to score both alike.
  torch::Tensor face_alt, mouth_alt;
};

CriticClip make_critic_clip(const MotionTrack& motion, const audio::Features& features,
                            std::span<const float> confidence, MotionSource source, Split split,
                            std::string name);
MotionTrack track_of(const torch::Tensor& motion);

// Collects VQ pairs from consecutive frames of one video (real or rendered).
class VqCollector {
 public:
  // all_types: every degradation of each chosen frame (evaluation), else one at random.
  VqCollector(int stride, std::uint64_t seed, bool all_types = false)
      : stride_(stride), seed_(seed), all_types_(all_types) {}
  // Frames in order with what the tracker saw; every `stride`-th frame with a face in
  // it and the one before gives a clean and a degraded sample. Train-split pairs (not
  // all_types) get a random mouth colour and light first (critic::recolour_mouth) and
  // fresh grain on their crops last (critic::add_grain), and every pair (not all_types) a
  // second clean sample with another draw of both (VqData::face_alt).
  void add(const Image& frame, const critic::FaceObservation& seen, Split split, bool real);
  void reset_video();  // the next frame starts a new video
  VqData finish();     // everything collected so far
  std::int64_t pairs() const { return static_cast<std::int64_t>(label_.size()) / 2; }

 private:
  // Fresh grain laid on a pair's crops last (critic::add_grain), over any fault as a
  // camera's would be: its sigma in grey levels (0: none) and a seed for each crop.
  struct Grain {
    float sigma = 0.f;
    std::uint64_t now = 0, before = 0, mouth = 0;
    Image on(Image crop, std::uint64_t seed) const;
  };
  // `frame` and `before_frame`: this frame and the one before as the clean sample shows
  // them; `clean_before` the clean sample's crop of the frame before, grain included.
  void add_degraded(const Image& frame, const Image& before_frame, const critic::FaceObservation& seen,
                    critic::Degradation type, const Image& clean_before, const Grain& grain, Split split,
                    bool real);
  void push(const Image& now, const Image& before, const Image& mouth, float label, int type,
            Split split, bool real);
  int stride_;
  std::uint64_t seed_;
  bool all_types_ = false;
  std::int64_t counter_ = 0;
  Image previous_, before_previous_;
  std::optional<critic::FaceObservation> previous_seen_;
  std::vector<torch::Tensor> face_, mouth_, face_alt_, mouth_alt_;
  std::vector<float> label_;
  std::vector<std::int64_t> type_, split_, real_;
};

struct CriticData {
  std::vector<CriticClip> clips;
  VqData vq;
};

// Builds the data (or loads <out_dir>/data/critic_data.pt): corpus labels (train, val
// and test splits), rendered-and-tracked corpus clips, realtalk clips, VQ pairs.
// Where a run keeps that data: <out_dir>/data/critic_data.pt.
inline std::filesystem::path critic_data_cache(const std::filesystem::path& out_dir) {
  return out_dir / "data" / "critic_data.pt";
}
CriticData load_or_build_critic_data(const CriticTrainParams& params,
                                     const std::function<void(const std::string&)>& log);

// A trainer's progress in its checkpoint: the step reached and the wall seconds spent.
struct CheckpointProgress {
  int step = 0;
  double seconds = 0;
};
CheckpointProgress read_progress(torch::serialize::InputArchive& archive);
// Adds the progress to `archive` and saves it as `path` (a temporary file, then renamed).
void save_checkpoint(torch::serialize::OutputArchive& archive, CheckpointProgress progress,
                     const std::filesystem::path& path);

// Raw model features [4T, kFeatureDims] of 16 kHz audio for T motion frames (silence pads).
torch::Tensor clip_features(const std::vector<float>& audio, int64_t motion_frames);
// The same from features already computed (audio::compute_features).
torch::Tensor clip_features(const audio::Features& features, int64_t motion_frames);

// A portrait for rendering from the first frame with a face of a real video, or none.
std::optional<video::Rig> rig_from_video(const std::filesystem::path& path);

// Renders a corpus clip's labels on a rig and tracks the video back: the tracked track
// (25 fps) and its confidence; frames go to `vq` when given.
MotionTrack render_and_track(const video::Rig& rig, const MotionTrack& labels,
                             std::vector<float>& confidence, VqCollector* vq, Split split);

// Head evaluations shared by training (validation) and `parla eval critic`.
// Offset curve figures of one clip with its audio shifted by `shift` frames (+ = delayed).
critic::LsResult ls_evaluate(critic::LsHead& head, const CriticClip& clip, int shift_frames);
critic::LsResult ls_evaluate_audio(critic::LsHead& head, const CriticClip& clip,
                                   const torch::Tensor& audio_rows);
// The clip's motion against another clip's audio (cut, or padded with silence, to length).
critic::LsResult ls_evaluate_mismatched(critic::LsHead& head, const CriticClip& clip,
                                        const CriticClip& other);
// MN score 0..100 of a [T, 20] motion with the clip's prosody (windows as the Critic does).
float mn_evaluate(critic::MnHead& head, const torch::Tensor& motion, const torch::Tensor& prosody);

}  // namespace parla::train
