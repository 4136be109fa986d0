// espeak-ng through its C API: synchronous synthesis with phoneme events in IPA. The
// library keeps one global synthesiser per process and is not thread-safe, so this file
// owns it: initialised on first use, every call serialised by one mutex.
#include <espeak-ng/speak_lib.h>

#include <cmath>
#include <cstring>
#include <mutex>

#include "text/text.h"

namespace parla::text {
namespace {

struct Capture {
  std::vector<float> pcm;
  std::vector<RawPhone> phones;  // start_s set; end_s filled from the next start
  int sample_rate = 22050;
};

// Guarded by espeak_mutex(); the synthesis callback is a C callback: it never throws.
Capture* g_capture = nullptr;

std::mutex& espeak_mutex() {
  static std::mutex mutex;
  return mutex;
}

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

// Call with espeak_mutex() held. Returns the synthesiser's sample rate.
int initialise_once() {
  static int sample_rate = 0;
  if (sample_rate > 0) return sample_rate;
  sample_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                                  espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_PHONEME_IPA |
                                      espeakINITIALIZE_DONT_EXIT);
  if (sample_rate <= 0) {
    sample_rate = 0;
    throw Error("espeak-ng: initialisation failed (is espeak-ng-data installed?)");
  }
  espeak_SetSynthCallback(on_synth);
  return sample_rate;
}

}  // namespace

std::string EspeakParams::language_or_default() const {
  if (!language.empty()) return language;
  return voice.substr(0, voice.find('+'));
}

EspeakSpeech espeak_speak(const std::string& text, const EspeakParams& params) {
  std::lock_guard lock(espeak_mutex());
  const int sample_rate = initialise_once();
  if (espeak_SetVoiceByName(params.voice.c_str()) != EE_OK) {
    throw InputError("espeak-ng: unknown voice '" + params.voice + "' (see espeak-ng --voices)");
  }
  espeak_SetParameter(espeakRATE, params.rate_wpm, 0);
  espeak_SetParameter(espeakPITCH, params.pitch, 0);
  espeak_SetParameter(espeakRANGE, params.pitch_range, 0);
  Capture capture;
  capture.sample_rate = sample_rate;
  g_capture = &capture;
  espeak_ERROR err = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                  espeakCHARS_UTF8, nullptr, nullptr);
  espeak_Synchronize();
  g_capture = nullptr;
  if (err != EE_OK || capture.pcm.empty()) {
    throw Error("espeak-ng: synthesis failed for voice '" + params.voice + "'");
  }
  EspeakSpeech speech;
  speech.sample_rate = sample_rate;
  speech.pcm = std::move(capture.pcm);
  const double total_s = static_cast<double>(speech.pcm.size()) / sample_rate;
  const std::string language = params.language_or_default();
  // Each event starts a phone that lasts until the next event.
  auto& events = capture.phones;
  for (size_t i = 0; i < events.size(); ++i) {
    double end_s = i + 1 < events.size() ? events[i + 1].start_s : total_s;
    if (end_s <= events[i].start_s) continue;
    speech.phones.push_back({ipa_of(events[i].ipa, language), events[i].start_s, end_s, -1});
  }
  return speech;
}

SpokenText speak_text(const std::string& text, const EspeakParams& params) {
  EspeakSpeech speech = espeak_speak(text, params);
  SpokenText out;
  out.audio = resample(speech.pcm, speech.sample_rate, kSampleRate);
  std::vector<int> stress;
  out.phones = tile_phones(speech.phones, static_cast<std::int64_t>(out.audio.size()), stress,
                           out.unmapped);
  return out;
}

}  // namespace parla::text
