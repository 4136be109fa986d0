// data_dir(): one run-time lookup of the bundled data for every binary and library
// (DESIGN.md "Install"; docs/library.md "Data lookup").
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "core/core.h"

namespace parla {
namespace {

namespace fs = std::filesystem;

// Whether `dir` holds Parla's data (its models/ folder).
bool holds_data(const fs::path& dir) {
  std::error_code error;
  return fs::is_directory(dir / "models", error);
}

// The shared object or executable that holds this code (libparla.so, or the executable
// a static build linked it into), resolved through symlinks.
fs::path this_binary() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&holds_data), &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code error;
  fs::path path = fs::canonical(info.dli_fname, error);
  return error ? fs::path(info.dli_fname) : path;
}

fs::path running_executable() {
  std::error_code error;
  fs::path path = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::path() : path;
}

// Whether `path` lies inside `dir` (both absolute, lexically normal).
bool lies_inside(const fs::path& path, const fs::path& dir) {
  if (dir.empty() || path.empty()) return false;
  auto [end, unused] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return end == dir.end();
}

fs::path find_data_dir() {
  if (const char* env = std::getenv("PARLA_DATA_DIR"); env && *env) return fs::path(env);
  std::vector<fs::path> looked;
  for (const fs::path& binary : {this_binary(), running_executable()}) {
    if (binary.empty()) continue;
    // PREFIX/bin/parla, PREFIX/lib/libparla.so, PREFIX/lib/x86_64-linux-gnu/libparla.so.
    const fs::path prefix = binary.parent_path().parent_path();
    for (const fs::path& candidate : {prefix / "share" / "parla", prefix.parent_path() / "share" / "parla"}) {
      looked.push_back(candidate);
      if (holds_data(candidate)) return candidate;
    }
#if defined(PARLA_BUILD_TREE_DIR) && defined(PARLA_SOURCE_DATA_DIR)
    // A binary still in its build tree reads the source tree's data.
    if (lies_inside(binary.lexically_normal(), fs::path(PARLA_BUILD_TREE_DIR).lexically_normal())) {
      looked.emplace_back(PARLA_SOURCE_DATA_DIR);
      if (holds_data(PARLA_SOURCE_DATA_DIR)) return fs::path(PARLA_SOURCE_DATA_DIR);
    }
#endif
  }
  std::string places;
  for (const fs::path& p : looked) places += (places.empty() ? "" : ", ") + quoted(p);
  throw Error("cannot find Parla's data (models/, sample/): looked in " +
              (places.empty() ? std::string("no place") : places) +
              "; set PARLA_DATA_DIR to the folder that holds models/");
}

}  // namespace

fs::path data_dir() {
  // Found once per process; a failure is not cached (PARLA_DATA_DIR may be set later).
  static std::mutex mutex;
  static fs::path found;
  std::lock_guard lock(mutex);
  if (const char* env = std::getenv("PARLA_DATA_DIR"); env && *env) return fs::path(env);
  if (found.empty()) found = find_data_dir();
  return found;
}

}  // namespace parla
