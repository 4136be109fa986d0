// Private to audio: PortAudio helpers shared by the session, playback and capture.
#pragma once

#include <portaudio.h>

#include <string>

#include "audio/audio.h"

namespace parla::audio::pa {

// Throws parla::Error "<what>: <Pa_GetErrorText>" when `err` is not paNoError.
void check(PaError err, const std::string& what);

// Device `index` (or the default output/input when -1) as AudioDeviceInfo; throws Error
// with a message suggesting --list-devices / --no-audio when it does not exist or has
// no channels in the wanted direction.
AudioDeviceInfo resolve_device(int index, bool input);

AudioDeviceInfo describe(PaDeviceIndex index);

}  // namespace parla::audio::pa
