// In-memory PNG and base64 for the HTML report's inline thumbnails (data URIs), so a
// report needs no image library and no temporary files. Private to critic/.
#pragma once

#include <string>
#include <string_view>

#include "core/core.h"

namespace parla::critic {

// An RGB8 image as the bytes of a PNG file (8-bit RGB, zlib level 6, no filter).
// An empty image gives an empty string.
std::string encode_png(const Image& image);

// RFC 4648 base64 with padding.
std::string base64_encode(std::string_view bytes);

// "data:image/png;base64,..." for an <img src>; empty for an empty image.
std::string png_data_uri(const Image& image);

}  // namespace parla::critic
