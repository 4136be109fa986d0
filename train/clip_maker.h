// Private to train: makes one clip from a plan — speak, resample, tile phones, speed
// perturbation, labels, augmentation — inside one worker process.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "train/engines.h"
#include "train/random.h"

namespace parla::train {

// What one clip will be, drawn before synthesis.
struct ClipPlan {
  ClipMeta meta;  // id, engine, voice, language, text, rate, pitch, split, seed
  VoiceSpec voice;
  SpeakParams speak;
  double speed = 1.0;  // speed perturbation factor
  AugmentParams augment;
};

// Draws the plan of clip `clip_index` of shard `shard_seed`'s stream.
ClipPlan plan_clip(const CorpusParams& params, std::uint64_t shard_seed, int shard, int clip_index);

// Engine phones (seconds) → clip phones tiling [0, samples) at 16 kHz: text::tile_phones.
using text::tile_phones;

// Owns the engines of one worker process, created on first use.
class ClipMaker {
 public:
  explicit ClipMaker(std::string scratch_dir) : scratch_dir_(std::move(scratch_dir)) {}
  // The clip, or throws Error when the engine fails on this text. `babble` holds
  // recent clean clips of the same shard (read for babble noise).
  Clip make(const ClipPlan& plan, std::span<const std::vector<float>> babble,
            std::vector<float>& clean_audio, std::set<std::string>& unmapped);

 private:
  SpeechEngine& engine(const std::string& name);
  std::string scratch_dir_;
  std::map<std::string, std::unique_ptr<SpeechEngine>> engines_;
};

}  // namespace parla::train
