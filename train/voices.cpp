// The voice catalogue. espeak-ng speaks every text language with its voice variants
// (different formant sets, breathiness and pitch: the variety comes cheap, it is
// 200–500× real time); flite and festival add natural-sounding English, Italian,
// Russian and Czech voices. Held out for the test split: two whole languages (Dutch,
// Polish), two espeak-ng variants in every language, one flite and one festival voice.
#include "train/engines.h"

namespace parla::train {

const std::vector<std::string>& held_out_languages() {
  static const std::vector<std::string> languages{"nl", "pl"};
  return languages;
}

const std::vector<VoiceSpec>& voice_catalogue() {
  static const std::vector<VoiceSpec> voices = [] {
    // espeak-ng voice names per text language (see `espeak-ng --voices`).
    const std::vector<std::pair<std::string, std::string>> espeak_languages{
        {"en", "en-us"}, {"en", "en"}, {"de", "de"}, {"es", "es"}, {"it", "it"}, {"pt-br", "pt-br"},
        {"pl", "pl"},    {"ru", "ru"}, {"cs", "cs"}, {"eo", "eo"}, {"fr", "fr"}, {"nl", "nl"}};
    const std::vector<std::string> variants{"m1", "m2", "m3", "m4", "m5",    "m7",
                                            "f1", "f2", "f3", "f5", "klatt", "klatt3"};
    const std::vector<std::string> held_out_variants{"m6", "f4"};
    std::vector<VoiceSpec> v;
    for (const auto& [language, name] : espeak_languages) {
      bool language_held_out = language == "nl" || language == "pl";
      for (const auto& variant : variants) {
        v.push_back({"espeak-ng", name + "+" + variant, language, language_held_out});
      }
      for (const auto& variant : held_out_variants) {
        v.push_back({"espeak-ng", name + "+" + variant, language, true});
      }
    }
    for (const std::string name : {"cmu_us_awb", "cmu_us_slt", "cmu_us_kal16"}) {
      v.push_back({"flite", name, "en", false});
    }
    v.push_back({"flite", "cmu_us_rms", "en", true});
    v.push_back({"festival", "kal_diphone", "en", false});
    v.push_back({"festival", "cmu_us_slt_arctic_hts", "en", false});
    v.push_back({"festival", "lp_diphone", "it", false});
    v.push_back({"festival", "pc_diphone", "it", false});
    v.push_back({"festival", "msu_ru_nsh_clunits", "ru", false});
    v.push_back({"festival", "czech_dita", "cs", false});
    v.push_back({"festival", "ked_diphone", "en", true});
    return v;
  }();
  return voices;
}

}  // namespace parla::train
