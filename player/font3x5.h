// Private to player: a built-in 3x5 pixel font for the HUD (upper-case letters,
// digits and common punctuation; lower-case maps to upper-case).
#pragma once

#include <array>
#include <cstdint>

namespace parla::player {

inline constexpr int kGlyphWidth = 3;   // pixels
inline constexpr int kGlyphHeight = 5;  // pixels

// Rows top to bottom, 3 bits each (bit 2 = left column). Unknown characters are blank.
std::array<std::uint8_t, kGlyphHeight> glyph_rows(char c);

}  // namespace parla::player
