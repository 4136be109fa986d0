// Private to cli: the render command's work on parsed arguments, shared by `parla render`
// (one job) and `parla batch` (many jobs on worker threads in one process).
#pragma once

#include <functional>
#include <memory>

#include "cli/args.h"
#include "cli/pipeline.h"
#include "fusion/fusion.h"

namespace parla::cli {

// Makes the motion generator of one render; parla batch passes one that reuses its
// worker's loaded model instead of reading the weights for every job.
using GeneratorFactory = std::function<std::unique_ptr<fusion::MotionGenerator>(const MotionOptions&)>;

// Renders exactly as `parla render` with `args` (parsed with render_command().spec),
// making the generator with `make_generator` when set, else fusion::make_generator.
// Returns 0; errors throw as in run_command. Thread-safe for distinct outputs: all state
// is per call except the process-wide face fitter and fit cache (both thread-safe) and
// the interrupt flag, which stops every render in the process.
int render_from_args(const ParsedArgs& args, const GeneratorFactory& make_generator);

}  // namespace parla::cli
