// parla/error.h: the exceptions every Parla function throws, public and internal alike
// (core/core.h takes them from here), so an embedder catches exactly what the modules
// throw. Included by parla/parla.h; no other header needed.
//
//   try { parla::render_file(params, "face.png", "talk.wav", "out.mp4"); }
//   catch (const parla::Error& e) { std::fprintf(stderr, "%s\n", e.what()); return static_cast<int>(e.code()); }
#pragma once

#include <stdexcept>
#include <string>

namespace parla {

// What kind of failure an Error is. The values are the `parla` command's exit codes
// for the same failures, so a program may return them as they are.
enum class ErrorCode : int {
  runtime = 1,      // a runtime failure: a codec failing mid-stream, a full disk, missing data
  bad_input = 2,    // bad usage or input: a missing or unreadable file, no face, a bad parameter
  interrupted = 3,  // stopped by a signal (after parla's interrupt handlers were installed)
};

// Every failure Parla reports. what() names the file and the problem
// ("cannot decode audio 'x.mp3': Invalid data found").
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ErrorCode code = ErrorCode::runtime)
      : std::runtime_error(message), code_(code) {}
  explicit Error(const char* message, ErrorCode code = ErrorCode::runtime)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Bad usage or bad input (code bad_input): a missing file, a file that is not audio,
// an output path that cannot be written, a parameter out of range.
class InputError : public Error {
 public:
  explicit InputError(const std::string& message) : Error(message, ErrorCode::bad_input) {}
  explicit InputError(const char* message) : Error(message, ErrorCode::bad_input) {}
};

}  // namespace parla
