// espeak-ng for the corpus: text::espeak_speak (which owns the library's one global
// synthesiser) with the corpus' rate, pitch and range settings.
#include <cmath>

#include "train/engines.h"

namespace parla::train {
namespace {

class EspeakEngine final : public SpeechEngine {
 public:
  Utterance speak(const VoiceSpec& voice, const std::string& text,
                  const SpeakParams& params) override {
    text::EspeakParams espeak;
    espeak.voice = voice.voice;
    espeak.language = voice.language;
    espeak.rate_wpm = static_cast<int>(std::lround(175 * params.rate));
    espeak.pitch = static_cast<int>(std::lround(params.pitch > 0 ? params.pitch : 50));
    espeak.pitch_range = static_cast<int>(std::lround(params.pitch_range));
    text::EspeakSpeech speech;
    try {
      speech = text::espeak_speak(text, espeak);
    } catch (const InputError& e) {
      throw Error(e.what());  // an unknown corpus voice is an engine failure, not bad input
    }
    return {std::move(speech.pcm), speech.sample_rate, std::move(speech.phones)};
  }
};

}  // namespace

std::unique_ptr<SpeechEngine> make_espeak_engine() { return std::make_unique<EspeakEngine>(); }

}  // namespace parla::train
