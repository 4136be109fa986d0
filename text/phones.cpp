// Engine phones (seconds, IPA) → phones tiling a clip at 16 kHz with their visemes.
#include <algorithm>
#include <cmath>

#include "text/text.h"

namespace parla::text {
namespace {

// True when `ipa` holds only modifier letters and diacritics (no base letter).
bool is_modifier_only(const std::string& ipa) {
  static const std::vector<std::string> modifiers{"ʲ",  "ʷ", "ʰ", "ː",      "ˑ",      "ˈ",
                                                  "ˌ",  "ʼ", "˞", "\u0303", "\u0329", "\u032F",
                                                  "\"", "'", ",", "-"};
  std::string rest = ipa;
  for (bool changed = true; changed && !rest.empty();) {
    changed = false;
    for (const std::string& m : modifiers) {
      if (rest.compare(0, m.size(), m) == 0) {
        rest.erase(0, m.size());
        changed = true;
      }
    }
  }
  return rest.empty() && !ipa.empty();
}

}  // namespace

std::vector<Phone> tile_phones(const std::vector<RawPhone>& raw, std::int64_t samples,
                               std::vector<int>& stress, std::set<std::string>& unmapped) {
  std::vector<Phone> phones;
  stress.clear();
  auto push = [&](const std::string& ipa, std::int64_t start, std::int64_t end, int st) {
    if (end <= start) return;
    std::optional<Viseme> v = viseme_for_ipa(ipa);
    if (!v && is_modifier_only(ipa) && !phones.empty()) {
      phones.back().ipa +=
          ipa;  // a detached diacritic (espeak-ng's "ʲ") belongs to the phone before
      phones.back().end_sample = end;
      return;
    }
    if (!v) unmapped.insert(ipa);
    Viseme viseme = v.value_or(Viseme::Dorsal);
    if (!phones.empty() && viseme == Viseme::Silence && phones.back().viseme == Viseme::Silence) {
      phones.back().end_sample = end;  // consecutive pauses merge
      return;
    }
    phones.push_back(
        {viseme == Viseme::Silence ? std::string(kPauseSymbol) : ipa, start, end, viseme, 0.f});
    stress.push_back(st);
  };
  std::int64_t cursor = 0;
  for (const RawPhone& r : raw) {
    auto start = std::clamp<std::int64_t>(std::llround(r.start_s * kSampleRate), cursor, samples);
    auto end = std::clamp<std::int64_t>(std::llround(r.end_s * kSampleRate), start, samples);
    if (start > cursor) push(std::string(kPauseSymbol), cursor, start, -1);  // gap: silence
    push(r.ipa, start, end, r.stress);
    cursor = std::max(cursor, end);
  }
  if (cursor < samples) push(std::string(kPauseSymbol), cursor, samples, -1);
  return phones;
}

}  // namespace parla::text
