// One clip from its plan. Labels are computed from the final (speed-perturbed) phone
// times; augmentation only touches audio and keeps its alignment.
#include "train/clip_maker.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "train/text.h"

namespace parla::train {

ClipPlan plan_clip(const CorpusParams& params, std::uint64_t shard_seed, int shard,
                   int clip_index) {
  ClipPlan plan;
  std::uint64_t seed = derive_seed(shard_seed, static_cast<std::uint64_t>(clip_index));
  Random rng(seed);
  double u = rng.uniform();
  std::string engine = u < params.festival_share                        ? "festival"
                       : u < params.festival_share + params.flite_share ? "flite"
                                                                        : "espeak-ng";
  std::vector<const VoiceSpec*> candidates;
  std::vector<double> weights;
  for (const VoiceSpec& v : voice_catalogue()) {
    if (v.engine != engine) continue;
    candidates.push_back(&v);
    weights.push_back(v.held_out ? 0.35 : 1.0);  // held-out voices: a test-sized share
  }
  plan.voice = *candidates[rng.weighted(weights)];
  if (engine == "espeak-ng") {
    plan.speak.rate = rng.uniform(0.75, 1.35);
    plan.speak.pitch = rng.uniform(25, 75);
    plan.speak.pitch_range = rng.uniform(20, 80);
  } else {
    plan.speak.rate = rng.uniform(0.85, 1.2);
  }
  TextItem text = draw_text(plan.voice.language, rng);
  // Speed factors are multiples of 1/16000 so the factor resample() applies is exact.
  plan.speed =
      rng.chance(0.3) ? std::round(rng.uniform(0.9, 1.1) * kSampleRate) / kSampleRate : 1.0;
  plan.augment = draw_augmentation(seed);

  bool held_out =
      plan.voice.held_out ||
      std::count(held_out_languages().begin(), held_out_languages().end(), plan.voice.language);
  char id[32];
  std::snprintf(id, sizeof id, "s%05d-c%04d", shard, clip_index);
  ClipMeta& m = plan.meta;
  m.id = id;
  m.engine = engine;
  m.voice = plan.voice.voice;
  m.language = plan.voice.language;
  m.text = text.text;
  m.text_source = text.source;
  m.rate = plan.speak.rate;
  m.pitch = plan.speak.pitch;
  m.speed = plan.speed;
  m.augmentation = describe(plan.augment);
  m.split = held_out ? Split::Test : (rng.chance(0.05) ? Split::Val : Split::Train);
  m.seed = seed;
  return plan;
}

SpeechEngine& ClipMaker::engine(const std::string& name) {
  auto it = engines_.find(name);
  if (it != engines_.end()) return *it->second;
  std::unique_ptr<SpeechEngine> e = name == "espeak-ng" ? make_espeak_engine()
                                    : name == "flite"
                                        ? make_flite_engine()
                                        : make_festival_engine(scratch_dir_ + "/festival");
  return *engines_.emplace(name, std::move(e)).first->second;
}

Clip ClipMaker::make(const ClipPlan& plan, std::span<const std::vector<float>> babble,
                     std::vector<float>& clean_audio, std::set<std::string>& unmapped) {
  // espeak-ng's Klatt voices and flite's excitation draw noise from libc rand(): seed it
  // per clip so a clip does not depend on what its process synthesised before.
  std::srand(static_cast<unsigned>(plan.meta.seed));
  Utterance u = engine(plan.meta.engine).speak(plan.voice, plan.meta.text, plan.speak);
  std::vector<float> audio = resample(u.pcm, u.sample_rate, kSampleRate);
  std::vector<int> stress;
  Clip clip;
  clip.meta = plan.meta;
  clip.phones = tile_phones(u.phones, static_cast<std::int64_t>(audio.size()), stress, unmapped);
  if (plan.speed != 1.0) audio = speed_perturb(audio, plan.speed, clip.phones);
  assign_prominence(audio, stress, clip.phones);
  bool question = !plan.meta.text.empty() && plan.meta.text.back() == '?';
  clip.motion =
      label_motion(clip.phones, static_cast<std::int64_t>(audio.size()), question, plan.meta.seed);
  clip.audio = augment(audio, plan.augment, babble, plan.meta.seed);
  clean_audio = std::move(audio);
  return clip;
}

}  // namespace parla::train
