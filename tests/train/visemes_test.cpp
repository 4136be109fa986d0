// The IPA → viseme mapping: known symbols land in the right class, and every phone
// every catalogue voice produces (all engines, all languages) has a class.
#include <gtest/gtest.h>

#include <map>

#include "tests/train/support.h"
#include "train/text.h"

namespace {
using namespace parla::train;

TEST(Visemes, ClassifiesIpaSymbols) {
  const std::map<std::string, Viseme> expected{
      {"p", Viseme::Bilabial},         {"mː", Viseme::Bilabial},
      {"f", Viseme::Labiodental},      {"v", Viseme::Labiodental},
      {"θ", Viseme::Dental},           {"l", Viseme::Lateral},
      {"t", Viseme::Alveolar},         {"s", Viseme::Sibilant},
      {"tʃ", Viseme::Postalveolar},    {"ts", Viseme::Sibilant},
      {"dʒ", Viseme::Postalveolar},    {"ʃ", Viseme::Postalveolar},
      {"k", Viseme::Dorsal},           {"ɹ", Viseme::Rhotic},
      {"w", Viseme::LabialVelar},      {"aʊ", Viseme::OpenVowel},
      {"ˈa", Viseme::OpenVowel},       {"eɪ", Viseme::MidFrontVowel},
      {"iː", Viseme::CloseFrontVowel}, {"oʊ", Viseme::MidRoundVowel},
      {"ø", Viseme::MidRoundVowel},    {"uː", Viseme::CloseRoundVowel},
      {"y", Viseme::CloseRoundVowel},  {"ə", Viseme::CentralVowel},
      {"ɐ̃", Viseme::OpenVowel},        {"_", Viseme::Silence},
      {"", Viseme::Silence},           {"mʲ", Viseme::Bilabial}};
  for (const auto& [ipa, viseme] : expected) {
    auto got = viseme_for_ipa(ipa);
    ASSERT_TRUE(got.has_value()) << ipa;
    EXPECT_EQ(viseme_name(*got), viseme_name(viseme)) << ipa;
  }
  EXPECT_EQ(viseme_for_ipa("ᵻ"), Viseme::CloseFrontVowel);  // espeak-ng English "wanted"
  EXPECT_FALSE(viseme_for_ipa("ʲ").has_value());
  EXPECT_FALSE(viseme_for_ipa("123").has_value());
}

TEST(Visemes, KnownEspeakGapsAreMapped) {
  // German r-vowels have no IPA spelling in espeak-ng (it writes "??"); English ᵻ.
  auto de = parla::train::testing::speak("espeak-ng", "de+m2", "de",
                                         "Brandenburg murmelt durch den Turm.");
  auto en =
      parla::train::testing::speak("espeak-ng", "en-us+m2", "en", "They wanted the painted boxes.");
  EXPECT_TRUE(de.unmapped.empty()) << *de.unmapped.begin();
  EXPECT_TRUE(en.unmapped.empty()) << *en.unmapped.begin();
}

TEST(Visemes, EveryCatalogueVoiceAndLanguageIsMapped) {
  // One voice per (engine, language, base voice): variants share the phone set.
  std::map<std::string, const VoiceSpec*> representatives;
  for (const VoiceSpec& v : voice_catalogue()) {
    std::string base = v.voice.substr(0, v.voice.find('+'));
    representatives.emplace(v.engine + ":" + base, &v);
  }
  Random rng(5);
  std::set<std::string> languages;
  for (const auto& [key, voice] : representatives) {
    for (int k = 0; k < 3; ++k) {
      TextItem text = draw_text(voice->language, rng);
      auto spoken =
          parla::train::testing::speak(voice->engine, voice->voice, voice->language, text.text);
      EXPECT_TRUE(spoken.unmapped.empty())
          << key << ": " << *spoken.unmapped.begin() << " in '" << text.text << "'";
      EXPECT_GT(spoken.phones.size(), 5u) << key;
    }
    languages.insert(voice->language);
  }
  EXPECT_GE(languages.size(), 8u);
}

}  // namespace
