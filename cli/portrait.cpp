#include "cli/portrait.h"

namespace parla::cli {

video::FaceFit fit_portrait(const Image& portrait, const std::filesystem::path& portrait_path,
                            const ParsedArgs& args) {
  const std::filesystem::path landmarks = args.value_or("landmarks", "");
  const int face = landmarks.empty() ? static_cast<int>(args.integer("face", 0, 1, 64)) : 0;
  return pipeline::fit_portrait(portrait, portrait_path, landmarks, face);
}

std::vector<OptionSpec> framing_options() {
  return {{"size", 0, "N", "crop framing: output side in pixels (default: follows the face, 256..512)"},
          {"full", 0, "", "full framing: the whole portrait at its own size (odd sizes gain a pixel)"},
          {"landmarks", 0, "FILE", "68 face landmarks as JSON instead of detection (see parla fit)"},
          {"face", 0, "N", "with several faces: animate the N-th from the left (default: the largest)"}};
}

video::RenderParams render_params_from(const ParsedArgs& args) {
  video::RenderParams params;
  if (args.has("full")) {
    if (args.has("size")) throw InputError("--size and --full exclude each other");
    params.framing = video::Framing::Full;
  }
  params.size = static_cast<int>(args.integer("size", 0, 64, 4096));
  if (params.size % 2) throw InputError("--size must be even (H.264 needs even dimensions), got " +
                                        std::to_string(params.size));
  return params;
}

}  // namespace parla::cli
