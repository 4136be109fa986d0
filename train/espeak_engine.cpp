// espeak-ng through its C API: synchronous synthesis with phoneme events in IPA. The
// library keeps one global synthesiser per process, so the corpus gives each worker
// process its own engine and never shares it between threads.
#include <espeak-ng/speak_lib.h>

#include <cmath>
#include <cstring>

#include "train/engines.h"

namespace parla::train {
namespace {

struct Capture {
  std::vector<float> pcm;
  std::vector<RawPhone> phones;  // start_s set; end_s filled from the next start
  int sample_rate = 22050;
};

// The synthesis callback is a C callback: it never throws.
Capture* g_capture = nullptr;

int on_synth(short* wav, int samples, espeak_EVENT* events) {
  if (!g_capture) return 1;
  for (int i = 0; wav && i < samples; ++i) g_capture->pcm.push_back(wav[i] / 32768.f);
  for (espeak_EVENT* e = events; e && e->type != espeakEVENT_LIST_TERMINATED; ++e) {
    if (e->type != espeakEVENT_PHONEME && e->type != espeakEVENT_END &&
        e->type != espeakEVENT_MSG_TERMINATED) {
      continue;
    }
    // `sample` counts output samples at the synthesiser's rate; an empty phoneme
    // string marks a pause, END / MSG_TERMINATED close the previous phone.
    double start_s = static_cast<double>(e->sample) / g_capture->sample_rate;
    std::string symbol = e->type == espeakEVENT_PHONEME
                             ? std::string(e->id.string, strnlen(e->id.string, sizeof e->id.string))
                             : std::string(kPauseSymbol);
    if (symbol.empty()) symbol = std::string(kPauseSymbol);
    if (symbol.front() == '(') continue;  // a language switch marker such as "(en)", not a sound
    g_capture->phones.push_back({symbol, start_s, start_s, -1});
  }
  return 0;
}

// espeak-ng writes "??" for a phoneme without an IPA spelling; in the corpus languages
// only German's r-coloured vowel does that ("burg", "murmelt", "durch": [ʊɐ̯]).
std::string ipa_of(const std::string& symbol, const std::string& language) {
  if (symbol != "??") return symbol;
  return language == "de" ? "ʊɐ" : "ə";
}

class EspeakEngine final : public SpeechEngine {
 public:
  EspeakEngine() {
    sample_rate_ = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                                     espeakINITIALIZE_PHONEME_EVENTS |
                                         espeakINITIALIZE_PHONEME_IPA | espeakINITIALIZE_DONT_EXIT);
    if (sample_rate_ <= 0)
      throw Error("espeak-ng: initialisation failed (is espeak-ng-data installed?)");
    espeak_SetSynthCallback(on_synth);
  }
  ~EspeakEngine() override { espeak_Terminate(); }

  Utterance speak(const VoiceSpec& voice, const std::string& text,
                  const SpeakParams& params) override {
    if (espeak_SetVoiceByName(voice.voice.c_str()) != EE_OK) {
      throw Error("espeak-ng: unknown voice '" + voice.voice + "'");
    }
    espeak_SetParameter(espeakRATE, static_cast<int>(std::lround(175 * params.rate)), 0);
    espeak_SetParameter(espeakPITCH,
                        static_cast<int>(std::lround(params.pitch > 0 ? params.pitch : 50)), 0);
    espeak_SetParameter(espeakRANGE, static_cast<int>(std::lround(params.pitch_range)), 0);
    Capture capture;
    capture.sample_rate = sample_rate_;
    g_capture = &capture;
    espeak_ERROR err = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                    espeakCHARS_UTF8, nullptr, nullptr);
    espeak_Synchronize();
    g_capture = nullptr;
    if (err != EE_OK || capture.pcm.empty()) {
      throw Error("espeak-ng: synthesis failed for voice '" + voice.voice + "'");
    }
    Utterance u;
    u.sample_rate = sample_rate_;
    u.pcm = std::move(capture.pcm);
    double total_s = static_cast<double>(u.pcm.size()) / sample_rate_;
    // Each event starts a phone that lasts until the next event.
    auto& events = capture.phones;
    for (size_t i = 0; i < events.size(); ++i) {
      double end_s = i + 1 < events.size() ? events[i + 1].start_s : total_s;
      if (end_s <= events[i].start_s) continue;
      u.phones.push_back({ipa_of(events[i].ipa, voice.language), events[i].start_s, end_s, -1});
    }
    return u;
  }

 private:
  int sample_rate_ = 22050;
};

}  // namespace

std::unique_ptr<SpeechEngine> make_espeak_engine() { return std::make_unique<EspeakEngine>(); }

}  // namespace parla::train
