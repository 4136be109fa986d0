// A pre-check of RIFF files (WAV, AVI) before FFmpeg opens them (issue #15).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace parla {

// FFmpeg's RIFF INFO reader (WAV and AVI demuxers) allocates and zeroes what a LIST INFO
// entry claims, up to 4 GiB, before it finds the file too short: a 102-byte WAV made it
// touch 2 GB and spend 7 s of CPU. This walks the file's chunk tree (LIST chunks, not
// an AVI's `movi` frames; at most a few thousand chunks) and returns what is wrong when
// an INFO entry claims more bytes than the file holds, e.g. "its INFO entry 'ISFT' at
// byte 52 claims 234881024 bytes; the file holds 102". Files that are not RIFF, or that
// cannot be read, return nothing (the decoder reports those in its own words).
std::optional<std::string> riff_info_problem(const std::filesystem::path& path);

}  // namespace parla
