// Private to train: the TTS engines behind one interface, and the voice catalogue.
// Each engine returns its own audio at its own rate with phone times in seconds; the
// corpus resamples to 16 kHz and maps phones through viseme_for_ipa.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "train/train.h"

namespace parla::train {

// One voice the corpus can speak with.
struct VoiceSpec {
  std::string engine;     // "espeak-ng", "flite", "festival"
  std::string voice;      // engine voice id: "de+f3", "cmu_us_slt", "kal_diphone"
  std::string language;   // text language code (a key of the text pools)
  bool held_out = false;  // test split only
};

// Phone times as the engine reports them.
using text::RawPhone;

struct Utterance {
  std::vector<float> pcm;  // mono, [-1, 1]
  int sample_rate = 0;     // Hz
  std::vector<RawPhone> phones;
};

// How to speak: rate 1 = the voice's default tempo; pitch as in ClipMeta (0 = default).
struct SpeakParams {
  double rate = 1.0;
  double pitch = 0.0;
  double pitch_range = 50.0;  // espeak-ng intonation range 0..100
};

// A speech engine. Objects are used from one thread; espeak-ng has one global
// instance per process (the constructor initialises it).
class SpeechEngine {
 public:
  virtual ~SpeechEngine() = default;
  // Throws Error when synthesis fails or yields no audio.
  virtual Utterance speak(const VoiceSpec& voice, const std::string& text,
                          const SpeakParams& params) = 0;
};

std::unique_ptr<SpeechEngine> make_espeak_engine();
std::unique_ptr<SpeechEngine> make_flite_engine();
// Runs the `festival` program once per utterance in `scratch_dir`.
std::unique_ptr<SpeechEngine> make_festival_engine(std::string scratch_dir);

// Every voice the corpus uses, in a fixed order (docs/corpus.md says why each is in
// or out). Held-out voices and the held-out languages are marked held_out.
const std::vector<VoiceSpec>& voice_catalogue();
// Languages whose every clip goes to the test split.
const std::vector<std::string>& held_out_languages();

// Engine phone symbols → IPA. `phoneset`: "radio" (CMU/ARPAbet as flite and the
// English festival voices write it), "italian", "russian", "czech". Also returns
// the lexical stress the symbol carries (-1 when it carries none).
struct MappedPhone {
  std::string ipa;
  int stress = -1;
};
MappedPhone phone_to_ipa(const std::string& phoneset, const std::string& symbol);

}  // namespace parla::train
