#include "cli/portrait.h"

namespace parla::cli {

video::FaceFit fit_portrait(const Image& portrait, const std::filesystem::path& portrait_path,
                            const std::optional<std::string>& landmarks_path) {
  if (landmarks_path) return video::read_landmarks_file(*landmarks_path, portrait.width, portrait.height);
  return video::fit_face(portrait, portrait_path.string());
}

std::vector<OptionSpec> framing_options() {
  return {{"size", 0, "N", "crop framing: output side in pixels (default: follows the face, 256..512)"},
          {"full", 0, "", "full framing: the whole portrait at its own size"},
          {"landmarks", 0, "FILE", "68 face landmarks as JSON instead of detection (see parla fit)"}};
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
