// IPA → viseme classes. One table for every language: the classes group sounds by what
// the lips, teeth and tongue tip show (docs/visemes.md), after the Preston Blair /
// Disney mouth charts and the MPEG-4 viseme set, refined for rounding and spreading.
#include <map>

#include "text/text.h"

namespace parla::text {
namespace {

// Decodes one UTF-8 code point at `pos`, advancing it; invalid bytes read as U+FFFD.
char32_t next_code_point(std::string_view s, size_t& pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = byte(pos);
  int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (extra < 0 || pos + extra >= s.size()) {
    ++pos;
    return 0xFFFD;
  }
  char32_t cp = extra == 0 ? c : (c & (0x3F >> extra));
  for (int i = 1; i <= extra; ++i) cp = (cp << 6) | (byte(pos + i) & 0x3F);
  pos += extra + 1;
  return cp;
}

const std::map<char32_t, Viseme>& letter_table() {
  static const std::map<char32_t, Viseme> table = [] {
    std::map<char32_t, Viseme> t;
    auto add = [&](std::u32string letters, Viseme v) {
      for (char32_t c : letters) t[c] = v;
    };
    add(U"pbmɓʙ", Viseme::Bilabial);
    add(U"fvɱʋβɸ", Viseme::Labiodental);
    add(U"θð", Viseme::Dental);
    add(U"lɫʎɭɬɮʟ", Viseme::Lateral);
    add(U"tdnɾɗʈɖɳɲcɟɽ", Viseme::Alveolar);
    add(U"sz", Viseme::Sibilant);
    add(U"ʃʒɕʑʂʐ", Viseme::Postalveolar);
    add(U"kgɡŋxɣhɦjçʝqɢχʁʔħʕɰɴʜ", Viseme::Dorsal);
    add(U"rɹʀɻ", Viseme::Rhotic);
    add(U"wɥʍ", Viseme::LabialVelar);
    add(U"aɑæɐɒɶä", Viseme::OpenVowel);
    add(U"eɛ", Viseme::MidFrontVowel);
    add(U"iɪɨɯᵻ", Viseme::CloseFrontVowel);
    add(U"oɔøœɵ", Viseme::MidRoundVowel);
    add(U"uʊyʏʉᵿ", Viseme::CloseRoundVowel);
    add(U"əɜʌɘɚɝɞɤ", Viseme::CentralVowel);
    return t;
  }();
  return table;
}

}  // namespace

std::string_view viseme_name(Viseme v) {
  static constexpr std::string_view names[kVisemeCount] = {"silence",         "bilabial",
                                                           "labiodental",     "dental",
                                                           "lateral",         "alveolar",
                                                           "sibilant",        "postalveolar",
                                                           "dorsal",          "rhotic",
                                                           "labial-velar",    "open-vowel",
                                                           "mid-front-vowel", "close-front-vowel",
                                                           "mid-round-vowel", "close-round-vowel",
                                                           "central-vowel"};
  return names[static_cast<int>(v)];
}

bool is_vowel(Viseme v) { return static_cast<int>(v) >= static_cast<int>(Viseme::OpenVowel); }

std::optional<Viseme> viseme_for_ipa(std::string_view ipa) {
  if (ipa.empty() || ipa == kPauseSymbol) return Viseme::Silence;
  // Base letters in order, modifiers (stress, length, diacritics, ties) skipped.
  std::vector<Viseme> letters;
  const auto& table = letter_table();
  for (size_t pos = 0; pos < ipa.size() && letters.size() < 2;) {
    auto it = table.find(next_code_point(ipa, pos));
    if (it != table.end()) letters.push_back(it->second);
  }
  if (letters.empty()) return std::nullopt;
  // Affricates (t+ʃ, d+z, ...) look like their release.
  if (letters.size() == 2 && letters[0] == Viseme::Alveolar &&
      (letters[1] == Viseme::Postalveolar || letters[1] == Viseme::Sibilant)) {
    return letters[1];
  }
  return letters[0];
}

}  // namespace parla::text
