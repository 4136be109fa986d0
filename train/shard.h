// Private to train: the shard format. A shard is two files: `shard-NNNNN.bin` holds
// each clip's 16 kHz int16 audio followed by its motion frames (float32, 20 per frame),
// little-endian, clip after clip; `shard-NNNNN.json` indexes them with metadata and
// phones. The JSON is written last, so its presence means the shard is complete.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "train/train.h"

namespace parla::train {

inline constexpr const char* kCorpusIndexName = "corpus.json";
inline constexpr int kShardFormatVersion = 1;

std::string shard_name(int shard);  // "shard-00012"

// Writes one shard: its .bin and .json under `dir`, each through a temporary name.
// `unmapped` lists phone symbols viseme_for_ipa did not know, `failures` the planned
// clips an engine could not speak (both recorded, never silent).
void write_shard(const std::filesystem::path& dir, int shard, const std::vector<Clip>& clips,
                 const std::vector<std::string>& unmapped,
                 const std::vector<std::string>& failures);

}  // namespace parla::train
