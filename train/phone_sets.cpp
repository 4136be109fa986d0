// Engine phone sets → IPA. Tables follow each voice's phone-set definition in its
// festival/flite sources (radio = CMUdict/ARPAbet; the Italian, Russian and Czech
// voices' own sets). Unknown symbols pass through unchanged so viseme_for_ipa can
// still classify them by their letters (and the corpus reports any it cannot).
#include <map>

#include "train/engines.h"

namespace parla::train {
namespace {

bool is_pause(const std::string& s) {
  return s == "pau" || s == "#" || s == "_" || s == "h#" || s == "brth" || s == "sil" || s.empty();
}

const std::map<std::string, std::string>& radio_table() {
  static const std::map<std::string, std::string> table{
      {"aa", "ɑ"},  {"ae", "æ"},  {"ah", "ʌ"},  {"ao", "ɔ"},  {"aw", "aʊ"},  {"ax", "ə"},
      {"axr", "ɚ"}, {"ay", "aɪ"}, {"b", "b"},   {"ch", "tʃ"}, {"d", "d"},    {"dh", "ð"},
      {"eh", "ɛ"},  {"er", "ɝ"},  {"ey", "eɪ"}, {"f", "f"},   {"g", "ɡ"},    {"hh", "h"},
      {"ih", "ɪ"},  {"iy", "i"},  {"jh", "dʒ"}, {"k", "k"},   {"l", "l"},    {"m", "m"},
      {"n", "n"},   {"ng", "ŋ"},  {"ow", "oʊ"}, {"oy", "ɔɪ"}, {"p", "p"},    {"r", "ɹ"},
      {"s", "s"},   {"sh", "ʃ"},  {"t", "t"},   {"th", "θ"},  {"uh", "ʊ"},   {"uw", "u"},
      {"v", "v"},   {"w", "w"},   {"y", "j"},   {"z", "z"},   {"zh", "ʒ"},   {"dx", "ɾ"},
      {"el", "l"},  {"em", "m"},  {"en", "n"},  {"nx", "n"},  {"ax-h", "ə"}, {"ix", "ɨ"}};
  return table;
}

// Italian diphone voices (lp, pc): a trailing 1 marks the stressed vowel.
const std::map<std::string, std::string>& italian_table() {
  static const std::map<std::string, std::string> table{
      {"E", "ɛ"},   {"O", "ɔ"},   {"J", "ɲ"},   {"L", "ʎ"},  {"S", "ʃ"},  {"Z", "ʒ"}, {"tS", "tʃ"},
      {"dZ", "dʒ"}, {"ts", "ts"}, {"dz", "dz"}, {"nf", "ɱ"}, {"ng", "ŋ"}, {"g", "ɡ"}};
  return table;
}

// Russian msu_ru_nsh: doubled consonant = palatalised, doubled vowel = stressed.
const std::map<std::string, std::string>& russian_table() {
  static const std::map<std::string, std::string> table{
      {"a", "ɐ"},   {"e", "ɪ"},  {"i", "i"},  {"o", "ə"},    {"u", "u"},  {"y", "ɨ"},
      {"ay", "ə"},  {"ur", "ʊ"}, {"ae", "æ"}, {"sch", "ɕː"}, {"sh", "ʂ"}, {"zh", "ʐ"},
      {"ch", "tɕ"}, {"c", "ts"}, {"h", "x"},  {"j", "j"},    {"g", "ɡ"}};
  return table;
}

// Czech czech_dita: ':' marks length, '~' the palatal/postalveolar member of a pair.
const std::map<std::string, std::string>& czech_table() {
  static const std::map<std::string, std::string> table{
      {"c", "ts"}, {"ch", "x"},  {"c~", "tʃ"}, {"d~", "ɟ"},  {"t~", "c"}, {"n~", "ɲ"},
      {"n*", "ŋ"}, {"h", "ɦ"},   {"r~", "r̝"},  {"s~", "ʃ"},  {"z~", "ʒ"}, {"dz~", "dʒ"},
      {"@", "ə"},  {"ou", "oʊ"}, {"au", "aʊ"}, {"eu", "eʊ"}, {"g", "ɡ"},  {"r", "r"},
      {"m*", "ɱ"}, {"dz", "dz"}, {"r~*", "r̝̊"}};
  return table;
}

std::string lookup(const std::map<std::string, std::string>& table, const std::string& s) {
  auto it = table.find(s);
  return it == table.end() ? s : it->second;
}

}  // namespace

MappedPhone phone_to_ipa(const std::string& phoneset, const std::string& symbol) {
  if (is_pause(symbol)) return {std::string(kPauseSymbol), -1};
  if (phoneset == "radio") return {lookup(radio_table(), symbol), -1};
  if (phoneset == "italian") {
    std::string s = symbol;
    int stress = -1;
    if (!s.empty() && (s.back() == '1' || s.back() == '0')) {
      stress = s.back() == '1' ? 1 : 0;
      s.pop_back();
    }
    return {lookup(italian_table(), s), stress};
  }
  if (phoneset == "russian") {
    auto it = russian_table().find(symbol);
    if (it != russian_table().end()) return {it->second, symbol.size() == 1 ? 0 : -1};
    if (symbol.size() == 2 && symbol[0] == symbol[1]) {
      std::string base(1, symbol[0]);
      if (std::string("aeiouy").find(symbol[0]) != std::string::npos) {
        return {base == "y"
                    ? "ɨ"
                    : (base == "o" ? "o" : (base == "a" ? "a" : (base == "e" ? "e" : base))),
                1};
      }
      return {lookup(russian_table(), base) + "ʲ", -1};
    }
    return {lookup(radio_table(), symbol), -1};  // English words read by the Russian voice
  }
  if (phoneset == "czech") {
    std::string s = symbol;
    bool long_mark = !s.empty() && s.back() == ':';
    if (long_mark) s.pop_back();
    return {lookup(czech_table(), s) + (long_mark ? "ː" : ""), -1};
  }
  return {symbol, -1};
}

}  // namespace parla::train
