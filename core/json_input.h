// core's JSON reading for input files (MotionTrack, landmarks): nlohmann's parser with
// errors that name the file and the position and never echo more than a short,
// escaped excerpt of the input. Kept out of core.h so that header stays free of
// third-party includes.
//
//   nlohmann::json doc = parla::parse_json_input(text, "invalid motion track 'x.json'");
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/core.h"

namespace parla {

// Parses `text` as one JSON document. On any error (syntax, invalid UTF-8, a number
// that overflows a double, trailing bytes) throws InputError
// "<what>: not valid JSON at line L, column C near '<excerpt>': <problem>".
// `what` should name the file, e.g. "invalid motion track 'talk.json'".
nlohmann::json parse_json_input(std::string_view text, std::string_view what);

}  // namespace parla
