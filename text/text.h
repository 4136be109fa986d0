// text: what the words of the speech say about the mouth, without LibTorch. Phones in
// IPA → visemes → coarticulated mouth channels (the corpus labels of train/ use the same
// model), espeak-ng synthesis with exact phone timings, and the text hint: known words
// (Rhubarb Lip Sync's --dialogFile) spoken by espeak-ng, aligned to the real audio by
// DTW and blended into a generated track to sharpen p/b/m closures and vowel shapes
// (docs/text_hint.md).
//
//   parla::text::TextHintReport r =
//       parla::text::apply_text_hint(track, pcm_16k, "the words", {.voice = "en-us"});
//   if (!r.applied) std::fprintf(stderr, "warning: %s\n", r.warning.c_str());
//
// Thread safety: free functions are reentrant, except that every espeak-ng call in the
// process goes through one mutex here (the library keeps global state): espeak_speak,
// speak_text and apply_text_hint may be called from any thread, one synthesis at a time.
// Errors: espeak_speak throws InputError for an unknown voice, Error when synthesis
// fails; apply_text_hint throws only for an unknown voice, and reports (never throws)
// text that does not match the audio.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"

namespace parla::text {

inline constexpr int kSampleRate = 16000;              // phone times count 16 kHz samples
inline constexpr std::string_view kPauseSymbol = "_";  // a phone that is silence

// ---------------------------------------------------------------------------------
// Visemes: one mapping from IPA for every language the corpus speaks (docs/visemes.md).

enum class Viseme : int {
  Silence,          // pause, rest
  Bilabial,         // p b m: lips pressed
  Labiodental,      // f v: lower lip under the upper teeth
  Dental,           // θ ð: tongue between the teeth
  Lateral,          // l ɫ ʎ: tongue tip up, visible
  Alveolar,         // t d n ɾ: tongue behind the teeth, mouth half open
  Sibilant,         // s z ts dz: teeth close, corners spread
  Postalveolar,     // ʃ ʒ tʃ dʒ ɕ ʑ: lips protruded and rounded open
  Dorsal,           // k g ŋ x h j ɣ ʁ and other back consonants: jaw follows vowels
  Rhotic,           // r ɹ ʀ: slight rounding
  LabialVelar,      // w ɥ: lips narrow and protruded
  OpenVowel,        // a ɑ æ ɐ ɒ
  MidFrontVowel,    // e ɛ
  CloseFrontVowel,  // i ɪ ɨ
  MidRoundVowel,    // o ɔ ø œ
  CloseRoundVowel,  // u ʊ y ʏ ɯ
  CentralVowel,     // ə ɜ ʌ ɘ
};
inline constexpr int kVisemeCount = 17;

std::string_view viseme_name(Viseme v);
bool is_vowel(Viseme v);
// The viseme of one phone written in IPA (length marks, stress, tie bars, diacritics
// and nasalisation ignored; diphthongs take their first element's class, affricates
// their release's). "_" and "" are Silence; nullopt when no base letter of the symbol
// is known, so callers can report unmapped phones.
std::optional<Viseme> viseme_for_ipa(std::string_view ipa);

// ---------------------------------------------------------------------------------
// Phones.

struct Phone {
  std::string ipa;                // IPA symbol, kPauseSymbol for silence
  std::int64_t start_sample = 0;  // at kSampleRate, inclusive
  std::int64_t end_sample = 0;    // exclusive; phones tile the clip without gaps
  Viseme viseme = Viseme::Silence;
  float prominence = 0.f;  // 0..1, vowels only: duration, energy and lexical stress
};

// Phone times as a speech engine reports them.
struct RawPhone {
  std::string ipa;     // IPA ("_" = pause)
  double start_s = 0;  // seconds from the start of the engine's audio
  double end_s = 0;
  int stress = -1;  // lexical stress from the engine: 1 stressed, 0 not, -1 unknown
};

// Engine phones → phones tiling [0, samples) at 16 kHz: gaps become pauses, consecutive
// pauses merge, a detached diacritic (espeak-ng's "ʲ") joins the phone before. `stress`
// gets one entry per phone. Unknown symbols are added to `unmapped` (and labelled
// Dorsal, the class with the least visible mouth shape).
std::vector<Phone> tile_phones(const std::vector<RawPhone>& raw, std::int64_t samples,
                               std::vector<int>& stress, std::set<std::string>& unmapped);

// Resamples mono float PCM (libswresample); the result has exactly
// round(size × to / from) samples.
std::vector<float> resample(std::span<const float> audio, int from_rate, int to_rate);

// ---------------------------------------------------------------------------------
// Mouth channels from phones (docs/corpus.md "Mouth labels").

// Articulation style of one speaker.
struct MouthStyle {
  double jaw_gain = 1.0;         // scales jawOpen (speaker's articulation effort)
  double lip_gain = 1.0;         // scales the rounding and spreading channels
  double smile_baseline = 0.1;   // resting mouthSmile
  double anticipation_s = 0.08;  // how far lip gestures lead the sound (0.05..0.15)
};

// Mouth channels 0..7 (jawOpen..tongueOut) from phones by dominance blending with
// anticipation; bilabials reach mouthClose 1 at the acoustic closure. Other channels
// are left as they are. `motion` must already hold its frames (frame k ↔ k / fps s).
void add_mouth_motion(std::span<const Phone> phones, const MouthStyle& style, MotionTrack& motion);
// The mouth at rest (the silence viseme's targets) for channels jawOpen .. tongueOut,
// with `smile` as mouthSmile (a speaker's resting smile is their style, not silence).
std::array<float, kMouthChannelCount> rest_mouth(float smile);

// ---------------------------------------------------------------------------------
// espeak-ng.

struct EspeakParams {
  std::string voice = "en-us";  // espeak-ng voice, optionally "+variant" ("de+f3")
  std::string language;         // for "??" phones; empty = the voice name before '+'
  int rate_wpm = 175;           // words per minute (espeak-ng's default 175)
  int pitch = 50;               // 0..100
  int pitch_range = 50;         // intonation range 0..100
  std::string language_or_default() const;
};

struct EspeakSpeech {
  std::vector<float> pcm;        // mono, [-1, 1], at sample_rate
  int sample_rate = 0;           // Hz (22050 for espeak-ng 1.51)
  std::vector<RawPhone> phones;  // from the phoneme events, in IPA
};

// Speaks `text` (UTF-8) with phone timings. Serialised process-wide (see the top).
EspeakSpeech espeak_speak(const std::string& text, const EspeakParams& params);

struct SpokenText {
  std::vector<float> audio;         // 16 kHz mono
  std::vector<Phone> phones;        // tiling [0, audio.size())
  std::set<std::string> unmapped;   // phone symbols no viseme class knew
};
// espeak_speak resampled to 16 kHz with tiled phones.
SpokenText speak_text(const std::string& text, const EspeakParams& params);

// ---------------------------------------------------------------------------------
// Alignment of two recordings of the same words (text/align.cpp).

struct AlignParams {
  double coarse_band_s = 30;   // coarse pass (25 Hz): band around the diagonal, ± seconds
  double fine_radius_s = 0.1;  // fine pass (100 Hz): band around the coarse path, ± seconds
};

struct Alignment {
  // Per 10 ms frame of the reference: the first frame of the target matched to it
  // (non-decreasing). Empty when there was no speech to align.
  std::vector<std::int64_t> target_frame;
  double mean_path_cost = 0;  // feature distance along the path
  double mean_pair_cost = 0;  // the same distance between unrelated frames (speech only)
  // 1 − path / pair cost: ~0.4–0.6 for the same words, below ~0.25 for other words.
  double quality = 0;
  // Per reference frame: 1 − local path cost / pair cost, smoothed over ±50 ms.
  std::vector<float> local_quality;
  double reference_speech_s = 0;  // length of each signal's speech span
  double target_speech_s = 0;
};

// DTW of MFCC-like features (cepstra of audio::compute_features' log-mel, normalised
// per recording) over the speech span of each signal (16 kHz mono), in two passes:
// coarse within a band around the diagonal, fine around the coarse path. Memory is
// O(frames × band), so minutes of audio align in tens of MB.
Alignment align_speech(std::span<const float> reference, std::span<const float> target,
                       const AlignParams& params = {});

// Phones timed on the reference moved onto the target through `alignment`, tiling
// [0, target_samples) (phones squeezed to nothing are dropped, adjacent pauses merge).
// `source`, when given, receives the index in `phones` of each returned phone.
std::vector<Phone> map_phones(std::span<const Phone> phones, const Alignment& alignment,
                              std::int64_t target_samples, std::vector<size_t>* source = nullptr);

// ---------------------------------------------------------------------------------
// The text hint.

struct TextHintParams {
  EspeakParams voice;            // how espeak-ng reads the text (its language matters most)
  double min_quality = 0.25;     // below: the text does not match the audio, hint not applied
  double min_local_quality = 0.1;  // a p/b/m whose own stretch aligns worse is not imposed
  double shape_weight = 0.5;     // mix of the text's lip shapes (funnel, pucker, stretch,
                                 // rollLower, tongueOut) into the generated ones, 0..1
  double jaw_weight = 0.3;       // mix of the text's jawOpen, 0..1
  bool suppress_stray_closures = true;  // open generated closures with no p/b/m within 80 ms
  AlignParams align;
};

struct TextHintReport {
  bool applied = false;
  std::string warning;     // why not (or what was odd), for the user; empty when fine
  double quality = 0;      // Alignment::quality
  int phones = 0;          // phones of the text (pauses excluded)
  int closures = 0;        // p/b/m imposed
  int closures_skipped = 0;  // p/b/m left out for poor local alignment
  int stray_closures_opened = 0;  // generated closures suppressed
};

// Blends the mouth the text implies into `track` (25 fps, frame k ↔ k / 25 s of `pcm`,
// 16 kHz mono): mouthClose = max(generated, text) with jawOpen pulled down through
// every p/b/m, lip shapes and jaw mixed by the weights, then clamped to the channel
// ranges. Leaves the track untouched and says why in `warning` when the text is empty
// or does not match the audio. Throws InputError for an unknown voice.
TextHintReport apply_text_hint(MotionTrack& track, std::span<const float> pcm,
                               const std::string& text, const TextHintParams& params = {});

}  // namespace parla::text
