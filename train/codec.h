// Private to train: a lossy codec round trip in-process through libavcodec.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace parla::train {

// Encodes 16 kHz mono audio with `codec` ("mp3" via libmp3lame, "opus" via libopus) at
// `bitrate_kbps` and decodes it back; the result has the input's length and timing
// (the encoder's priming delay is removed). Throws Error when the codec is missing.
std::vector<float> codec_round_trip(std::span<const float> audio, const std::string& codec,
                                    int bitrate_kbps);

}  // namespace parla::train
