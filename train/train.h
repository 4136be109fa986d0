// train: the synthetic speech-and-motion corpus every learned model trains on (DESIGN.md
// "Training" step 1). TTS engines speak text in many voices and languages with exact
// phone timings; the phones become coarticulated mouth labels, a prosody-driven model
// adds head, brow, blink and gaze labels, and the audio is augmented. Clips are stored
// in shards with train / val / test splits (test holds out whole voices and languages).
//
//   parla::train::CorpusParams params{.hours = 10, .seed = 1};
//   parla::train::CorpusSummary s = parla::train::generate_corpus(params, "/tmp/corpus");
//   parla::train::CorpusReader reader("/tmp/corpus");
//   for (const auto& ref : reader.clips(parla::train::Split::Train)) {
//     parla::train::Clip clip = reader.load(ref);   // 16 kHz audio + MotionTrack + phones
//   }
//
// The labelling stages are pure functions, usable on their own:
//   phones (IPA, samples) → viseme_for_ipa → mouth_motion → expressive_motion → MotionTrack
//
// Thread safety: free functions are reentrant; a CorpusReader is used from one thread
// at a time. generate_corpus forks worker processes (espeak-ng is not thread-safe) and
// must be called from a single-threaded process. Errors: generate_corpus throws
// InputError for bad parameters or an unusable output directory, Error when an engine
// fails; CorpusReader throws InputError naming the file for a missing or corrupt corpus.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"
#include "text/text.h"

namespace parla::train {

using text::kPauseSymbol;  // "_": a phone that is silence
using text::kSampleRate;   // corpus audio, 16000 samples per second
inline constexpr int kSamplesPerMotionFrame = 640;  // 16000 / 25

// A clip holding N samples has this many motion frames; frame k shows time k / 25 s.
constexpr std::int64_t motion_frames_for(std::int64_t samples) {
  return (samples + kSamplesPerMotionFrame - 1) / kSamplesPerMotionFrame;
}

// ---------------------------------------------------------------------------------
// Visemes and phones live in text/ (no LibTorch there, so `parla` uses them too).

using text::is_vowel;
using text::kVisemeCount;
using text::Phone;
using text::viseme_for_ipa;
using text::viseme_name;
using text::Viseme;

// ---------------------------------------------------------------------------------
// Clips.

enum class Split : int { Train, Val, Test };
std::string_view split_name(Split s);
std::optional<Split> split_from_name(std::string_view name);

struct ClipMeta {
  std::string id;           // "s00012-c0041": shard and clip index
  std::string engine;       // "espeak-ng", "flite" or "festival"
  std::string voice;        // engine voice, e.g. "de+f3", "cmu_us_slt", "kal_diphone"
  std::string language;     // ISO 639-1 code (or "pt-br"), the text's language
  std::string text;         // what was spoken
  std::string text_source;  // Debian package and file the text came from
  double rate = 1.0;        // speaking-rate factor the engine was asked for (1 = voice default)
  double pitch = 0.0;  // pitch setting: espeak-ng 0..100, flite/festival F0 mean Hz, 0 = default
  double speed = 1.0;  // speed perturbation of the audio (labels stretched to match)
  std::string
      augmentation;  // applied audio effects, e.g. "noise=pink:10dB reverb=0.42s gain=-3.1dB"
  Split split = Split::Train;
  std::uint64_t seed = 0;  // this clip's seed for its motion and augmentation draws
};

struct Clip {
  ClipMeta meta;
  std::vector<float> audio;   // 16 kHz mono, [-1, 1], augmented
  std::vector<Phone> phones;  // tiling [0, audio.size())
  MotionTrack motion;         // 25 fps, motion_frames_for(audio.size()) frames
};

// ---------------------------------------------------------------------------------
// Labelling stages (docs/corpus.md gives the models and their sources).

// Per-clip articulation style (text::MouthStyle), drawn from the clip's seed; the mouth
// channels come from text::add_mouth_motion, the rest pose from text::rest_mouth.
using text::add_mouth_motion;
using text::MouthStyle;
using text::rest_mouth;
MouthStyle draw_mouth_style(std::uint64_t seed);

// Per-clip expressiveness of head, brows, blinks and gaze, drawn from the clip's seed.
struct ExpressionStyle {
  double head_gain = 1.0;         // scales all head motion
  double nod_probability = 0.45;  // chance a prominent syllable carries a nod
  double blinks_per_minute = 10;  // renewal-process rate; pause and saccade blinks add ~5–8/min
  double brow_probability = 0.4;  // chance a phrase's peak syllable raises the brows
  double gaze_aversion = 0.35;    // share of fixations away from the listener
};
ExpressionStyle draw_expression_style(std::uint64_t seed);

// Channels 8..19 (blinks, gaze, brows, head) from the phone sequence (pauses, phrase
// edges, prominent syllables), `question` raising the brows at phrase ends. The same
// inputs and seed give the same motion.
void add_expressive_motion(std::span<const Phone> phones, bool question,
                           const ExpressionStyle& style, std::uint64_t seed, MotionTrack& motion);

// The full label track for a clip: neutral frames, mouth, expression, clamped.
MotionTrack label_motion(std::span<const Phone> phones, std::int64_t samples, bool question,
                         std::uint64_t seed);

// Vowel prominence from duration, energy and (when the engine knows it, `stress` ≥ 0)
// lexical stress; writes Phone::prominence. `stress` has one entry per phone.
void assign_prominence(std::span<const float> audio, std::span<const int> stress,
                       std::span<Phone> phones);

// ---------------------------------------------------------------------------------
// Audio augmentation.

// Changes tempo and pitch together by `factor` (1.1 = 10 % faster, Kaldi-style speed
// perturbation) and stretches phone times to match: a phone boundary at sample s
// moves to round(s / factor). Returns the new audio; `phones` are updated in place.
std::vector<float> speed_perturb(std::span<const float> audio, double factor,
                                 std::vector<Phone>& phones);

// Resamples mono float PCM (libswresample).
using text::resample;

struct AugmentParams {
  std::string noise;         // "", "white", "pink" or "babble"
  double snr_db = 20;        // speech-to-noise power ratio over the whole clip
  double reverb_rt60_s = 0;  // 0 = dry; else a synthetic room of this decay time
  std::string band;          // "", "telephone" (300–3400 Hz) or "lowpass" (cutoff_hz)
  double cutoff_hz = 4000;   // for band == "lowpass"
  double gain_db = 0;        // applied last, before clipping to [-1, 1]
  std::string codec;         // "", "mp3" or "opus": a libavcodec encode/decode round trip
  int bitrate_kbps = 32;     // for the codec
};

// A draw of augmentation parameters for one clip (some clips stay clean).
AugmentParams draw_augmentation(std::uint64_t seed);
// "noise=pink:10dB reverb=0.42s band=telephone codec=mp3:32k gain=-3.1dB" ("clean" if none).
std::string describe(const AugmentParams& params);

// Applies noise, reverb, band limit, codec and gain in that order; the length and the
// time alignment stay unchanged. `babble_sources` are other speech recordings mixed
// for babble noise (babble falls back to pink noise when empty).
std::vector<float> augment(std::span<const float> audio, const AugmentParams& params,
                           std::span<const std::vector<float>> babble_sources, std::uint64_t seed);

// ---------------------------------------------------------------------------------
// Generation.

struct CorpusParams {
  double hours = 1.0;            // total audio to generate (the last clip may overshoot)
  std::uint64_t seed = 0;        // same seed and hours → byte-identical shards
  int workers = 2;               // worker processes
  double shard_minutes = 10.0;   // audio per shard (~100–200 clips)
  double festival_share = 0.12;  // fractions of clips per engine; espeak-ng takes the rest
  double flite_share = 0.28;
};

struct CorpusSummary {
  int shards = 0;
  int clips = 0;
  double audio_hours = 0;
  double wall_seconds = 0;
};

// Called from the parent process with finished / total shards.
using ProgressFn = std::function<void(int done, int total)>;

// Generates the corpus into `out_dir` (created; must be empty or absent): shard files
// and corpus.json. Shards are written complete or not at all.
CorpusSummary generate_corpus(const CorpusParams& params, const std::filesystem::path& out_dir,
                              const ProgressFn& progress = {});

// ---------------------------------------------------------------------------------
// Reading.

struct ClipRef {
  int shard = 0;  // index into the corpus' shard list
  int index = 0;  // clip within the shard
  ClipMeta meta;
  std::int64_t samples = 0;
};

// Reads a corpus directory written by generate_corpus.
class CorpusReader {
 public:
  explicit CorpusReader(const std::filesystem::path& dir);
  const std::vector<ClipRef>& clips() const { return clips_; }
  std::vector<ClipRef> clips(Split split) const;
  Clip load(const ClipRef& ref) const;
  int shard_count() const { return static_cast<int>(shard_files_.size()); }
  // Phone symbols no viseme class knew, and planned clips an engine could not speak
  // ("clip id: message"), over all shards.
  const std::vector<std::string>& unmapped_phones() const { return unmapped_phones_; }
  const std::vector<std::string>& failed_syntheses() const { return failed_syntheses_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::filesystem::path> shard_files_;  // binary payloads
  std::vector<ClipRef> clips_;
  std::vector<std::vector<Phone>> phones_;  // per clip, parallel to clips_
  std::vector<std::int64_t> offsets_;       // byte offset of each clip's payload
  std::vector<size_t> shard_first_;         // position in clips_ of each shard's clip 0
  std::vector<std::string> unmapped_phones_, failed_syntheses_;
};

// hours per engine / language / voice / split, viseme shares, channel statistics,
// blink rate: a human-readable report.
std::string corpus_stats_report(const CorpusReader& reader);

// ---------------------------------------------------------------------------------
// Non-speech audio, for training the models to keep the mouth closed without speech
// and for evaluating that.

// Synthetic music at 16 kHz: chords of harmonic tones with note changes every
// 0.15–0.8 s, a bass line and percussion, peak near −6 dBFS. Deterministic per seed.
std::vector<float> synth_music(double seconds, std::uint64_t seed);

// ---------------------------------------------------------------------------------
// Motion evaluation against corpus labels (`parla eval motion`).


struct MotionScores {
  std::int64_t frames = 0;
  std::array<double, kMouthChannelCount> pearson{};  // per mouth channel, pooled over frames
  std::array<double, kMouthChannelCount> mae{};      // mean absolute error, channel units
  double viseme_accuracy = 0;   // nearest viseme-centroid class of the mouth vs the phone's viseme
  int closures = 0;             // bilabial phones (p b m) in the labels
  double closure_precision = 0; // predicted closures (mouthClose ≥ 0.5 runs) near a bilabial
  double closure_recall = 0;    // bilabials with a predicted closure within ±40 ms
  double closure_f1 = 0;
};

// Accumulates predicted tracks against their clips' labels and phones. Viseme
// centroids (mean label mouth vector per viseme class) come from the added clips'
// labels, so every generator scored on the same clips is judged the same way.
class MotionScorer {
 public:
  // `predicted` must have the clip's frame count (extra frames are ignored).
  void add(const Clip& clip, const MotionTrack& predicted);
  MotionScores scores() const;

 private:
  struct Frame {
    std::array<float, kMouthChannelCount> label;
    std::array<float, kMouthChannelCount> predicted;
    int viseme;
  };
  std::vector<Frame> frames_;
  int closures_ = 0, closures_found_ = 0, predicted_closures_ = 0, predicted_closures_matched_ = 0;
};

// ---------------------------------------------------------------------------------
// Base model training (DESIGN.md "Training" step 2): the denoiser of experts/ with the
// plain diffusion loss (v-prediction, cosine schedule, extra weight on the mouth).

struct BaseTrainParams {
  std::filesystem::path corpus;     // corpus directory (generate_corpus)
  std::filesystem::path out_dir;    // checkpoint.pt, base.pt, loss.csv, loss.png
  std::filesystem::path cache_dir;  // feature cache; empty = <out_dir>/cache
  int steps = 6000;                 // optimiser steps in the whole run (drives the LR schedule)
  double max_minutes = 0;           // stop (resumable) after this much wall time; 0 = no limit
  int batch = 16;                   // windows per step
  double learning_rate = 1e-3;      // peak; warm-up 200 steps, cosine decay to 10 %
  int threads = 1;                  // torch intra-op threads (2 on a shared 2-core box is ~10x slower)
  int checkpoint_every = 200;       // steps between checkpoints and validation
  std::uint64_t seed = 0;           // batches, noise and initialisation
  double nonspeech_share = 0.15;    // windows whose audio is music, noise or silence
  int d_model = 128;                // model size (experts::ModelConfig)
  int layers = 4;
  int encoder_channels = 128;
  std::filesystem::path init;       // start from these weights (config and normalisation too)
  double pure_noise_share = 0.25;   // windows trained at t = 1: the lips' one-step prediction
  double closure_weight = 3.0;      // loss weight on mouthClose where the label is shut (>= 0.5)
  double spread_weight = 0;         // weight of the one-step lips' amplitude term (spread_loss.h)
  bool spread_jaw_only = false;     // that term on jawOpen alone (else every mouth channel)
  double warp = 0.1;                // vocal-tract warp of the mel axis, factor in 1 ± warp (0: off)
  // Real talking faces (docs/real_speakers.md): windows of the TRAIN speakers' clips with
  // their tracked, speaker-normalised jawOpen; the loss sees only the confident jawOpen
  // frames of those windows (every other channel comes from the synthetic labels).
  std::filesystem::path realtalk;     // realtalk directory (MANIFEST.tsv); empty = off
  std::filesystem::path real_labels;  // tracked-label cache; empty = <cache_dir>/realtalk-labels.bin
  double real_share = 0.3;            // share of windows drawn from real clips
  int real_variants = 8;              // audio versions per real clip: clean + augmented ones
  double real_speaker_power = 1;      // a speaker's share of real windows ∝ (their frames)^power
  double real_warp = 0;               // vocal-tract warp range of real windows; 0 = `warp`
  bool real_as_published = false;     // labels as published, not moved onto the audio where
                                      // the critic reads a clip out of sync (sync_corrected)
  bool real_shut_at_zero = false;     // below a speaker's p10 the map runs to 0 at a shut
                                      // reading (map_quantiles_shut_at_zero), not on linearly
};

struct BaseTrainReport {
  int step = 0;             // optimiser steps done
  double train_loss = 0;    // mean over the last checkpoint interval
  double val_loss = 0;      // fixed validation windows
  double seconds = 0;       // wall time of the whole run (resumes included)
  bool finished = false;    // reached `steps`
};

// Trains (or resumes from <out_dir>/checkpoint.pt) and writes base.pt (EMA weights),
// loss.csv and loss.png after every checkpoint. `progress` gets each report.
BaseTrainReport train_base(const BaseTrainParams& params,
                           const std::function<void(const BaseTrainReport&)>& progress = {});

// Writes a line plot of the loss columns of loss.csv to a PNG.
void plot_loss_csv(const std::filesystem::path& csv, const std::filesystem::path& png);


// ---------------------------------------------------------------------------------
// Real talking faces (shared/media/realtalk): clips with their speaker and split.

struct RealClip {
  std::filesystem::path path;
  std::string speaker;
  Split split = Split::Train;  // Val for the held-out speakers (kRealValidationSpeakers)
};
// The validation speakers: whole people never trained on (8 speakers, 68 s; not GRID-s1).
std::span<const std::string_view> real_validation_speakers();
// Every clip listed in DIR/MANIFEST.tsv, in its order. Throws InputError when the
// manifest is missing or malformed.
std::vector<RealClip> real_clips(const std::filesystem::path& dir);

// A realtalk clip tracked into mouth labels (train/real_labels.cpp): the critic's video
// analysis, with jawOpen mapped per speaker onto the synthetic labels' scale.
inline constexpr float kRealMinConfidence = 0.5f;  // tracking confidence a label needs to count

struct RealLabels {
  std::string file;                 // clip file name in the realtalk directory
  std::string speaker;
  Split split = Split::Train;
  std::vector<float> pcm;           // 16 kHz mono, the clip's own audio
  std::vector<float> jaw;           // per motion frame: jawOpen on the synthetic labels' scale
  std::vector<float> raw_jaw;       // per motion frame: jawOpen as estimated (per-video normalised)
  std::vector<float> close;         // per motion frame: mouthClose as estimated
  std::vector<float> confidence;    // per motion frame, 0..1 (< kRealMinConfidence: not a label)
  std::vector<std::uint8_t> speech; // per motion frame: voice activity of the audio
  std::array<float, 3> speaker_quantiles{};  // the speaker's raw jawOpen p10, p50, p90 (speech)
  int av_offset = 0;  // the critic's sync head on the clip as published: audio lead, frames
                      // (+ = audio ahead of the picture; critic::LsResult::offset_frames)
  std::int64_t frames() const { return static_cast<std::int64_t>(jaw.size()); }
};

// A clip whose own A/V offset reads at least this many frames (80 ms) was published out
// of sync; under it, the offset is within the sync head's ±1 frame and a viewer's
// tolerance (docs/real_speakers.md "Clips published out of sync").
inline constexpr int kRealSyncMinOffset = 2;
// The clip with its video-side labels (jaw, raw_jaw, close, confidence) moved by its
// `av_offset` onto its audio when that is ≥ kRealSyncMinOffset frames; frames moved in
// from beyond the video carry no label (confidence 0). Otherwise the clip as it is.
RealLabels sync_corrected(RealLabels clip);

// jawOpen p10, p50, p90 over the speech frames of the synthetic labels (the corpus
// recipe's train split: /tmp/corpus3h, `parla train real-labels --corpus DIR`).
inline constexpr std::array<float, 3> kSyntheticJawQuantiles = {0.1107f, 0.2516f, 0.5265f};
// The same quantiles measured on a corpus split (frames inside a non-pause phone).
std::array<float, 3> synthetic_jaw_quantiles(const CorpusReader& reader, Split split);
// Piecewise-linear map taking `from` quantiles onto `to` (linear beyond the ends), 0..1.
float map_quantiles(float value, const std::array<float, 3>& from, const std::array<float, 3>& to);
// The same map, except below from[0]: a straight line from (0, 0) to (from[0], to[0]), so a
// shut reading (0) stays 0 however low the speaker's p10 sits; map_quantiles extends the
// p10..p50 line there instead, which puts a speaker with a low p10 at up to to[0] shut.
float map_quantiles_shut_at_zero(float value, const std::array<float, 3>& from,
                                 const std::array<float, 3>& to);

// Every clip of DIR/MANIFEST.tsv tracked and normalised per speaker, its own A/V offset
// read by the critic's sync head (data/models/critic), from `cache` when it holds this
// manifest's clips (else tracked now, ~1.5 min, and written there). Clips with no usable
// face are left out (logged to `log`).
std::vector<RealLabels> real_labels(const std::filesystem::path& dir,
                                    const std::filesystem::path& cache,
                                    const std::function<void(const std::string&)>& log = {});

// One audio version of a real clip for training, with its labels on the new time axis.
struct RealVariant {
  std::vector<float> pcm;           // 16 kHz mono
  double speed = 1;                 // tempo factor applied (1.1 = 10 % faster)
  std::vector<float> jaw;           // per motion frame of `pcm`, synthetic scale
  std::vector<std::uint8_t> label;  // per motion frame: 1 where the tracking is confident
};
// Version 0 is the clean clip; others get a speed change (0.9..1.1, labels stretched
// along) and draw_augmentation's noise, reverb, band, codec and gain (babble from
// `babble_sources`), all drawn from `seed`.
RealVariant real_variant(const RealLabels& clip, int version, std::uint64_t seed,
                         std::span<const std::vector<float>> babble_sources);

// The real-speech metric (docs/real_speakers.md): Pearson r between a generated jawOpen
// and the tracked one over the confident frames, pooled over clips at each lag and per
// clip at lag 0.
inline constexpr int kRealMaxLagFrames = 8;

struct RealSpeechScores {
  int clips = 0;
  std::int64_t frames = 0;                 // confident frames scored (lag 0)
  double pooled_r = 0;                     // lag 0, all clips' frames together
  double median_clip_r = 0;                // median over clips of the per-clip r at lag 0
  double spread = 0;                       // lag 0, pooled: sd of the generated / sd of the tracked
  int best_lag_frames = 0;                 // + = the generated track trails the video
  double best_lag_r = 0;                   // pooled r at the best lag
  std::vector<double> lag_r;               // pooled r per lag −8..+8
  std::vector<double> clip_r;              // per clip, lag 0, in the order added
  std::vector<int> clip_best_lag;          // per clip, the lag of its highest r
  std::vector<double> clip_best_lag_r;     // per clip, r at that lag
};

class RealSpeechScorer {
 public:
  // `jaw` per motion frame (extra frames ignored, missing ones end the clip).
  void add(const RealLabels& clip, std::span<const float> jaw);
  RealSpeechScores scores() const;

 private:
  std::vector<std::vector<float>> labels_, predicted_;
  std::vector<std::vector<std::uint8_t>> confident_;
};

// The audio-energy baseline: RMS energy in dB per motion frame, smoothed over 3 frames,
// mapped from the clip's p10..p95 onto 0..1.
std::vector<float> energy_jaw(const std::vector<float>& pcm);

// ---------------------------------------------------------------------------------
// Talking-Critic training (DESIGN.md "Training" step 3; docs/critic.md).

struct CriticTrainParams {
  std::filesystem::path corpus;      // synthetic corpus (labels and their audio)
  std::filesystem::path realtalk;    // real talking faces (MANIFEST.tsv), split by speaker
  std::filesystem::path out_dir;     // data cache, checkpoints, ls.pt mn.pt vq.pt, loss plots
  std::vector<std::filesystem::path> portraits;  // portraits the corpus is rendered on
  std::string heads = "ls,mn,vq";    // which heads to train
  int label_clips = 1500;            // corpus train clips used as clean labels
  int rendered_clips = 100;          // corpus train clips rendered and tracked back
  int real_clip_limit = 0;           // 0 = every realtalk clip (tests use a few)
  int ls_steps = 2500;               // optimiser steps per head
  int mn_steps = 3000;
  int vq_steps = 2000;
  int batch = 32;                    // clips (LS, MN) or frame pairs (VQ) per step
  double learning_rate = 1e-3;       // peak; cosine decay to 10 %
  int threads = 1;                   // torch intra-op threads
  int checkpoint_every = 250;        // steps between checkpoints and validation
  double max_minutes = 0;            // stop (resumable) after this much wall time; 0 = none
  std::uint64_t seed = 1;
};

struct CriticTrainReport {
  std::string head;          // "data", "ls", "mn" or "vq"
  int step = 0;
  int steps = 0;
  double train_loss = 0;
  double val_metric = 0;     // LS: offset recovery on val clips; MN, VQ: pairwise accuracy
  double seconds = 0;
  bool finished = false;
};

// Builds (or reuses) the data cache, then trains each head in turn (resumable from its
// checkpoint) and writes <head>.pt, loss-<head>.csv/.png into out_dir.
void train_critic(const CriticTrainParams& params,
                  const std::function<void(const CriticTrainReport&)>& progress = {});

struct CriticEvalParams {
  std::filesystem::path models_dir;   // ls.pt mn.pt vq.pt
  std::filesystem::path data_dir;     // a train_critic out_dir (its cached held-out data)
  std::filesystem::path corpus;       // for the base-vs-classic ranking on the test split
  std::filesystem::path media;        // shared/media (held-out real videos and portraits)
  int generator_clips = 60;           // test clips for the base-vs-classic ranking
  std::uint64_t seed = 7;
};
// Shift recovery, pairwise accuracy per perturbation and degradation, base vs classic:
// a JSON document (docs/critic.md "Evaluation") with a readable table under "table".
std::string evaluate_critic(const CriticEvalParams& params);

// ---------------------------------------------------------------------------------
// TLPO experts evaluation (`parla eval experts`, issue #11 item 5, docs/experts.md).

std::vector<std::string> default_experts_eval_configs();  // base, ls, mn, vq, uniform, gate

struct ExpertsEvalParams {
  std::filesystem::path corpus;        // clips and their labels
  Split split = Split::Test;           // test: voices and languages never trained on
  int clips = 60;                      // spread evenly over the split; 0 = every clip
  // Seeds seed, seed + 1, ...: under seed s each clip draws its own noise,
  // derive_seed(s, the clip's shard and index), so a seed's figure is a mean over
  // independent draws and the same clip meets the same noise in every configuration.
  int seeds = 3;
  std::uint64_t seed = 0;
  std::filesystem::path experts_dir;   // ls.pt mn.pt vq.pt gate.pt; empty = the default dir
  std::filesystem::path critic_dir;    // critic heads; empty = data/models/critic
  // "base", "ls", "mn", "vq" (one expert at scale 1, the others 0, no gate), "uniform"
  // (all three, g = 1), "gate", or a mode with scales: "gate:ls=2", "uniform:mn=0:vq=0.5".
  // The base runs first whether listed or not (win rates are against it).
  std::vector<std::string> configs = default_experts_eval_configs();
  std::vector<std::filesystem::path> portraits;  // VQ and rig folds on real renders of these
  int render_clips = 4;                // the first clips rendered (every seed, every portrait)
  double render_seconds = 4;           // rendered from each such clip's start
  std::function<void(const std::string&)> progress;  // a line per clip
};
// Every configuration scored by the critic heads (LS, MN on all clips; VQ on the renders),
// the independent measures, win rates against the base and speed: a JSON document with
// the readable table under "table" and the docs/experts.md table under "markdown".
// Throws InputError for a bad configuration, corpus or experts directory.
std::string evaluate_experts(const ExpertsEvalParams& params);

// ---------------------------------------------------------------------------------
// TLPO (DESIGN.md "Training" steps 4 and 5, docs/experts.md): the preference set, one
// LoRA expert per critic dimension trained with Diffusion-DPO against the frozen base,
// and the timestep × layer gate that fuses them.

inline constexpr int kPrefsVersion = 1;
enum class Dimension : int { Ls = 0, Mn = 1, Vq = 2 };
std::string_view dimension_name(Dimension d);  // "ls", "mn", "vq"
std::optional<Dimension> dimension_from_name(std::string_view name);

struct PrefsParams {
  std::filesystem::path corpus;        // synthetic corpus; its train split is sampled
  std::filesystem::path out_dir;       // prefs.json + prefs-NNNNN.bin shards
  std::filesystem::path base_weights;  // empty = data/models/base/base.pt
  std::filesystem::path critic_dir;    // empty = data/models/critic
  std::vector<std::filesystem::path> portraits;  // VQ renders (a PORTRAIT.landmarks.json beside is used)
  std::filesystem::path realtalk;      // + first frames of 4 training speakers as portraits
  int candidates = 8;                  // K motions per clip
  int steps = 4;                       // DDIM steps per candidate (full DDIM, lips included)
  int max_clips = 0;                   // train clips to use; 0 = all
  int clips_per_shard = 64;
  int vq_every = 8;                    // render every N-th clip's candidates for VQ (0 = none)
  double max_minutes = 0;              // stop (resumable) after this much time; 0 = none
  // Make only the missing shards s with s % part_count == part_index (several processes or
  // machines on one set, each its part; a run with part_count 1 then lists them all).
  int part_index = 0, part_count = 1;
  std::uint64_t seed = 1;
};

struct PrefCandidate {
  std::uint64_t seed = 0;               // generator seed
  MotionTrack motion;                   // 25 fps, the clip's frame count
  std::array<float, 3> score{};         // LS, MN, VQ (0..100; VQ NaN when not rendered)
  std::array<std::vector<float>, 3> per_second;  // the same per second of the clip
};

struct PrefClip {
  std::string clip_id;  // corpus clip id
  std::int64_t frames = 0;
  std::vector<PrefCandidate> candidates;
  int seconds() const;  // ceil(frames / 25)
};

struct PrefsSummary {
  int shards = 0, clips = 0, vq_clips = 0;
  std::int64_t candidates = 0;
  double seconds = 0;       // audio of the clips
  double wall_seconds = 0;
  bool complete = false;    // every shard written
};

// Builds (or completes) the preference set; `log` gets progress lines.
PrefsSummary build_prefs(const PrefsParams& params,
                         const std::function<void(const std::string&)>& log);
// Every clip of a preference set, checksums verified (InputError naming the shard).
std::vector<PrefClip> read_prefs(const std::filesystem::path& dir);
// A critic score's logit, log(s / (100 − s)) with s clamped to 0.01..99.99: the heads'
// 0..100 scales are logistic (docs/critic.md), so candidates of a good generator crowd
// near 100 while their logits keep the heads' own spacing. Pairs are ranked in logits.
float score_logit(float score);
// Per-second scores of a head (as many as the clip has seconds; where the head gave none
// for a second, its overall score).
std::vector<float> per_second_of(const std::vector<float>& scores, float overall, int seconds);
// Per head: clips scored, mean, sd, p10, p90 of the candidates' scores, the mean
// within-clip spread (best − worst, logits) and the candidate pairs whose logits differ
// by ≥ `margin`.
std::string prefs_report(std::span<const PrefClip> clips, double margin);

struct DpoParams {
  std::filesystem::path corpus;        // the corpus the preference set was made from
  std::filesystem::path prefs;         // preference set directory
  std::filesystem::path out_dir;       // checkpoint.pt, <dim>.pt or gate.pt, loss.csv/png
  std::filesystem::path base_weights;  // empty = data/models/base/base.pt
  std::filesystem::path experts_dir;   // gate: the frozen ls.pt mn.pt vq.pt
  std::string what = "ls";             // "ls", "mn", "vq" (an expert) or "gate"
  int rank = 4;                        // LoRA rank (experts)
  int steps = 600;
  int batch = 16;                      // preference pairs per step
  double learning_rate = 1e-3;         // peak; warm-up then cosine decay to 10 %
  double beta = 200;                   // DPO temperature on the per-element v-error gap
  double margin = 0.5;                 // score logits (score_logit) a winner must lead by
  // Weight of the label anchor: anchor · β · (v error of the adapted model − the base's) on
  // windows of the corpus labels, so preference tuning cannot drift from the speech the
  // labels follow (reward hacking); 0 = pure DPO.
  double anchor = 0;
  // The anchor's channels (ARKit names; empty = those of the DPO error) and its diffusion
  // time (< 0: drawn as the pairs' are; 1: pure noise, the step the lips are read from).
  std::vector<std::string> anchor_channels;
  double anchor_time = -1;
  // Weight of the mouth lock: keep_mouth · the mean square of the adapted model's
  // mouth-channel v minus the frozen base's, and no DPO loss on those channels, so the
  // expert leaves them to the base model (mn, vq: the lips to the base and the ls expert;
  // ls: only the channels named in keep_channels, e.g. jawOpen). For the gate, the fused
  // experts' v on keep_channels against the base's: the gate may not turn up an expert
  // where it moves those channels (e.g. the jaw, whatever the experts' own locks left);
  // 0 = off.
  double keep_mouth = 0;
  // The channels the lock holds (ARKit names); empty = all 8 mouth channels. E.g. only
  // mouthClose: the expert may shape the lips but not part them where the base shuts them.
  std::vector<std::string> keep_channels;
  // Mouth channels left out of the DPO error without a lock (expert, gate): the expert
  // neither learns from the pairs' difference there nor is held to the base, e.g. the
  // mouthClose the fused default takes from the base model's own chain anyway.
  std::vector<std::string> drop_channels;
  // MN expert and gate: the MN head's scores of the candidates given one shared mouth and
  // blinks (the first candidate's), scored again at load, instead of the set's own, whose
  // differences are largely the candidates' lips: MN then ranks only what a mouth-locked
  // expert can change (head, brows, gaze), and the lips are LS's to rank.
  bool rank_without_mouth = false;
  std::filesystem::path critic_dir;    // critic heads for rank_without_mouth; empty = data/models/critic
  // Gate: share of pairs drawn from the clips all three heads scored (VQ renders are few).
  double full_share = 0;
  // Gate: how the three heads rank a pair — "mean" (the mean logit of the heads that scored
  // the window), "balanced" (each head weighted by the inverse of its typical spread between
  // one clip's candidates, so VQ, whose candidates differ least, counts as much as the
  // others) or "pareto" (balanced, and the winner may not trail on any head).
  std::string gate_pairs = "mean";
  // Gate: the least weight g_e(t, l) it may give each expert (ls, mn, vq; 0 = free). Held
  // by a penalty, kGateFloorWeight · the mean square of (floor − g) where g is below it,
  // so that e.g. vq=1 keeps the VQ expert at least at the uniform merge's weight while
  // the pairs, which VQ ranks least, turn the others up or down.
  std::array<float, 3> gate_floor{0, 0, 0};
  int checkpoint_every = 100;
  double max_minutes = 0;
  int threads = 1;
  std::uint64_t seed = 1;
};

struct DpoReport {
  int step = 0, steps = 0;
  double loss = 0;            // mean DPO loss over the interval (log 2 at the start)
  double accuracy = 0;        // share of pairs whose implicit reward prefers the winner
  double val_loss = 0, val_accuracy = 0;  // fixed held-out pairs (clips not trained on)
  double seconds = 0;
  bool finished = false;
};

// Trains one expert's LoRA set (or the gate, experts frozen) with Diffusion-DPO; resumable.
DpoReport train_dpo(const DpoParams& params, const std::function<void(const DpoReport&)>& progress);

}  // namespace parla::train
