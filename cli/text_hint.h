// Private to cli: the text hint options of render, motion and play (--text, --text-file,
// --text-voice) and the one call that applies them to a generated track
// (text::apply_text_hint; docs/text_hint.md).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/core.h"

namespace parla::cli {

struct TextHintRequest {
  std::string text;              // the words spoken in the audio
  std::string voice = "en-us";   // espeak-ng voice reading them (the language matters)
};

std::vector<OptionSpec> text_hint_options();
// The request, or nullopt without --text / --text-file. Throws InputError for both at
// once, an unreadable --text-file, or an unknown --text-voice (checked before any work).
std::optional<TextHintRequest> text_hint_from_args(const ParsedArgs& args);

// Decodes `audio_path` (16 kHz mono), aligns the text to it and blends its mouth into
// `track` (25 fps, generated from that audio). Text that does not match the audio
// leaves the track as it was, with a warning on stderr (even with `quiet`).
void apply_text_hint(MotionTrack& track, const std::filesystem::path& audio_path,
                     const TextHintRequest& request, bool quiet);

}  // namespace parla::cli
