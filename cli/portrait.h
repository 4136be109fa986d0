// Private to cli: portrait handling shared by render, fit (and the player commands):
// fitting with an optional --landmarks override, and framing options.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "video/video.h"

namespace parla::cli {

// Landmarks from `landmarks_path` when given (checked against the image size), else
// dlib detection. Errors name the portrait or landmarks file.
video::FaceFit fit_portrait(const Image& portrait, const std::filesystem::path& portrait_path,
                            const std::optional<std::string>& landmarks_path);

// --size N / --full / --landmarks FILE, shared by every command that renders.
std::vector<OptionSpec> framing_options();
video::RenderParams render_params_from(const ParsedArgs& args);

}  // namespace parla::cli
