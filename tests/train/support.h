// Shared helpers for the train tests: speech from the real engines at 16 kHz with
// tiled phones, and energy measurements over phone spans.
#pragma once

#include <cmath>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "train/clip_maker.h"
#include "train/engines.h"
#include "train/train.h"

namespace parla::train::testing {

struct Spoken {
  std::vector<float> audio;  // 16 kHz
  std::vector<Phone> phones;
  std::vector<int> stress;
  std::set<std::string> unmapped;
};

// One engine per process and name (espeak-ng must not be initialised twice).
inline SpeechEngine& engine(const std::string& name) {
  static std::unique_ptr<SpeechEngine> espeak, flite, festival;
  if (name == "espeak-ng") return *(espeak ? espeak : espeak = make_espeak_engine());
  if (name == "flite") return *(flite ? flite : flite = make_flite_engine());
  return *(festival ? festival : festival = make_festival_engine("/tmp/parla-train-test-festival"));
}

inline Spoken speak(const std::string& engine_name, const std::string& voice,
                    const std::string& language, const std::string& text, double rate = 1.0) {
  VoiceSpec spec{engine_name, voice, language, false};
  SpeakParams params;
  params.rate = rate;
  std::srand(1);  // flite and espeak-ng's Klatt voices draw noise from rand()
  Utterance u = engine(engine_name).speak(spec, text, params);
  Spoken s;
  s.audio = resample(u.pcm, u.sample_rate, kSampleRate);
  s.phones = tile_phones(u.phones, static_cast<std::int64_t>(s.audio.size()), s.stress, s.unmapped);
  return s;
}

// Mean power in dB over [start, end) samples.
inline double energy_db(const std::vector<float>& audio, std::int64_t start, std::int64_t end) {
  double sum = 1e-12;
  start = std::max<std::int64_t>(0, start);
  end = std::min<std::int64_t>(static_cast<std::int64_t>(audio.size()), end);
  for (std::int64_t i = start; i < end; ++i) sum += static_cast<double>(audio[i]) * audio[i];
  return 10 * std::log10(sum / std::max<std::int64_t>(1, end - start));
}

}  // namespace parla::train::testing
