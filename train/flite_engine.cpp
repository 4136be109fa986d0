// flite through its C API: every 16 kHz voice Debian's libflite1 ships (awb, rms, slt,
// kal16; kal is 8 kHz and cmu_time_awb speaks only clock times, so both are left out).
// Phone end times come from the utterance's Segment relation.
extern "C" {
#include <flite/flite.h>
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
cst_voice* register_cmu_us_slt(const char* voxdir);
cst_voice* register_cmu_us_kal16(const char* voxdir);
}

#include <map>
#include <string>

#include "train/engines.h"

namespace parla::train {
namespace {

class FliteEngine final : public SpeechEngine {
 public:
  FliteEngine() { flite_init(); }

  Utterance speak(const VoiceSpec& voice, const std::string& text,
                  const SpeakParams& params) override {
    cst_voice* v = find_voice(voice.voice);
    feat_set_float(v->features, "duration_stretch", static_cast<float>(1.0 / params.rate));
    cst_utterance* utt = flite_synth_text(text.c_str(), v);
    if (!utt) throw Error("flite: synthesis failed for voice '" + voice.voice + "'");
    Utterance u;
    cst_wave* wave = utt_wave(utt);
    if (!wave || wave->num_samples <= 0) {
      delete_utterance(utt);
      throw Error("flite: no audio for voice '" + voice.voice + "'");
    }
    u.sample_rate = wave->sample_rate;
    u.pcm.resize(wave->num_samples);
    for (int i = 0; i < wave->num_samples; ++i)
      u.pcm[i] = wave->samples[i * wave->num_channels] / 32768.f;
    double previous_end_s = 0;
    for (cst_item* seg = relation_head(utt_relation(utt, "Segment")); seg; seg = item_next(seg)) {
      double end_s = item_feat_float(seg, "end");
      MappedPhone p = phone_to_ipa("radio", item_feat_string(seg, "name"));
      int stress = p.ipa == kPauseSymbol ? -1 : ffeature_int(seg, "R:SylStructure.parent.stress");
      if (end_s > previous_end_s) u.phones.push_back({p.ipa, previous_end_s, end_s, stress});
      previous_end_s = std::max(previous_end_s, end_s);
    }
    delete_utterance(utt);
    return u;
  }

 private:
  cst_voice* find_voice(const std::string& name) {
    auto it = voices_.find(name);
    if (it != voices_.end()) return it->second;
    cst_voice* v = name == "cmu_us_awb"     ? register_cmu_us_awb(nullptr)
                   : name == "cmu_us_rms"   ? register_cmu_us_rms(nullptr)
                   : name == "cmu_us_slt"   ? register_cmu_us_slt(nullptr)
                   : name == "cmu_us_kal16" ? register_cmu_us_kal16(nullptr)
                                            : nullptr;
    if (!v) throw Error("flite: unknown voice '" + name + "'");
    voices_[name] = v;
    return v;
  }

  std::map<std::string, cst_voice*> voices_;  // registered once, live for the process
};

}  // namespace

std::unique_ptr<SpeechEngine> make_flite_engine() { return std::make_unique<FliteEngine>(); }

}  // namespace parla::train
