// A realtalk directory holding a few of the shared clips (symlinks and their manifest
// rows), for tests of the real-speaker labels, metric and training.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/testing.h"

namespace parla::train::testing {

inline std::filesystem::path realtalk_dir() {
  return parla::testing::shared_media_dir() / "realtalk";
}

// Writes DIR/MANIFEST.tsv with the header and the rows of `files`, and links the clips.
inline void make_realtalk_subset(const std::filesystem::path& dir,
                                 const std::vector<std::string>& files) {
  std::filesystem::create_directories(dir);
  std::ifstream in(realtalk_dir() / "MANIFEST.tsv");
  std::ofstream out(dir / "MANIFEST.tsv");
  std::string line;
  std::getline(in, line);
  out << line << '\n';
  while (std::getline(in, line)) {
    for (const auto& f : files) {
      if (line.rfind(f + "\t", 0) == 0) out << line << '\n';
    }
  }
  for (const auto& f : files) std::filesystem::create_symlink(realtalk_dir() / f, dir / f);
}

// A held-out speaker's clip (avcrossnet-E3, 11.5 s) and a training speaker's (GRID-s1, 3 s).
inline const std::string kValClip = "mtanveer1_AVCrossNet__E3_silent_plus_target.mp4";
inline const std::string kTrainClip = "rizkiarm_LipNet__bbaf2n.mp4";

}  // namespace parla::train::testing
