#include "cli/text_hint.h"

#include <cstdio>

#include "audio/audio.h"
#include "text/text.h"

namespace parla::cli {

std::vector<OptionSpec> text_hint_options() {
  return {{"text", 0, "\"WORDS\"",
           "the words spoken (like Rhubarb's --dialogFile): sharper p/b/m closures and vowels"},
          {"text-file", 0, "FILE", "read those words from a UTF-8 text file"},
          {"text-voice", 0, "V",
           "espeak-ng voice for the text's language, e.g. de, fr, pt-br (default en-us)"}};
}

std::optional<TextHintRequest> text_hint_from_args(const ParsedArgs& args) {
  auto inline_text = args.value("text");
  auto file = args.value("text-file");
  if (inline_text && file) throw InputError("give --text or --text-file, not both");
  if (!inline_text && !file) {
    if (args.has("text-voice")) throw InputError("--text-voice needs --text or --text-file");
    return std::nullopt;
  }
  TextHintRequest request;
  if (file) {
    check_input_file(*file, "text");
    request.text = read_text_file(*file);
  } else {
    request.text = *inline_text;
  }
  request.voice = args.value_or("text-voice", request.voice);
  // An unknown voice is a usage error: find it before decoding or rendering anything.
  text::espeak_speak(".", {.voice = request.voice});
  return request;
}

void apply_text_hint(MotionTrack& track, const std::filesystem::path& audio_path,
                     const TextHintRequest& request, bool quiet) {
  std::vector<float> pcm = audio::decode_audio(audio_path);
  text::TextHintParams params;
  params.voice.voice = request.voice;
  text::TextHintReport report = text::apply_text_hint(track, pcm, request.text, params);
  if (!report.warning.empty()) std::fprintf(stderr, "warning: text hint: %s\n", report.warning.c_str());
  if (report.applied && !quiet) {
    std::fprintf(stderr,
                 "text hint: %d phones aligned (quality %.2f), %d p/b/m closures imposed%s\n",
                 report.phones, report.quality, report.closures,
                 report.closures_skipped
                     ? (", " + std::to_string(report.closures_skipped) + " left out").c_str()
                     : "");
  }
}

}  // namespace parla::cli
