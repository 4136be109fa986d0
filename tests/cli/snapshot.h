// Test helper for the bad-input suites: what a directory holds, to check a refused
// command left it exactly as it was.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>

namespace parla::testing {

// Name → "size:content hash" of every file under `dir` ("dir" for folders).
inline std::map<std::string, std::string> directory_snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) {
      files[e.path().string()] = "dir";
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    files[e.path().string()] = std::to_string(bytes.size()) + ":" + std::to_string(std::hash<std::string>{}(bytes));
  }
  return files;
}

}  // namespace parla::testing
