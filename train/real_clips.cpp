// The real talking-face clips (shared/media/realtalk/MANIFEST.tsv) and their split by
// speaker: the held-out speakers are whole people, never trained on.
#include <array>
#include <sstream>

#include "train/train.h"

namespace parla::train {
namespace {

// 8 speakers, 68 s of the 6.65 min: in-the-wild (VoxCeleb2, LRS2, multi-VSR, AVCrossNet,
// astorfi), studio (PC-AVS, MEAD) and one GRID speaker other than s1.
constexpr std::array<std::string_view, 8> kValidationSpeakers = {
    "vox2-id01175",     "avcrossnet-E3",    "multivsr-spk-2",
    "pcavs-spk-G (M, bald, older)",        "GRID-unknown-6 (M, grey hair; prob. s2)",
    "lrs2-spk-B (M)",   "MEAD-M030",        "astorfi-unknown-1 (older man)",
};

}  // namespace

std::span<const std::string_view> real_validation_speakers() { return kValidationSpeakers; }

std::vector<RealClip> real_clips(const std::filesystem::path& dir) {
  const auto manifest = dir / "MANIFEST.tsv";
  std::istringstream in(read_text_file(manifest));
  std::string line;
  std::getline(in, line);  // header
  if (line.rfind("file\t", 0) != 0) throw InputError(quoted(manifest) + " is not a realtalk manifest");
  std::vector<RealClip> clips;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string f; std::getline(row, f, '\t');) fields.push_back(f);
    if (fields.size() < 6) throw InputError(quoted(manifest) + ": a row has fewer than 6 columns");
    RealClip clip{dir / fields[0], fields[5], Split::Train};
    for (std::string_view v : kValidationSpeakers) {
      if (clip.speaker == v) clip.split = Split::Val;
    }
    clips.push_back(std::move(clip));
  }
  return clips;
}

}  // namespace parla::train
