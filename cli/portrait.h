// Private to cli: portrait handling shared by render, fit (and the player commands):
// fitting with an optional --landmarks override, and framing options.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "pipeline/pipeline.h"
#include "video/video.h"

namespace parla::cli {

// Landmarks from --landmarks when given (checked against the image size), else the
// cached fit of this picture and --face, else dlib detection (then cached). Errors name
// the portrait or landmarks file.
video::FaceFit fit_portrait(const Image& portrait, const std::filesystem::path& portrait_path,
                            const ParsedArgs& args);

// The portrait fit cache is pipeline/'s (docs/video_output.md "Portrait fit cache").
using pipeline::fit_cache_dir;
using pipeline::fit_cache_file;

// --size N / --full / --landmarks FILE / --face N, shared by every command that renders.
std::vector<OptionSpec> framing_options();
video::RenderParams render_params_from(const ParsedArgs& args);

}  // namespace parla::cli
