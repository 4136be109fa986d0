// PortAudio initialisation, device listing and lookup.
#include <fcntl.h>
#include <portaudio.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "audio/audio.h"
#include "audio/portaudio_util.h"

namespace parla::audio {
namespace {

// ALSA prints pages of probing errors to stderr while PortAudio enumerates devices on a
// machine without a sound card; they are noise, so stderr is muted around Pa_Initialize.
class MutedStderr {
 public:
  MutedStderr() {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    int null_fd = ::open("/dev/null", O_WRONLY);
    if (saved_ >= 0 && null_fd >= 0) ::dup2(null_fd, STDERR_FILENO);
    if (null_fd >= 0) ::close(null_fd);
  }
  ~MutedStderr() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
    }
  }

 private:
  int saved_ = -1;
};

}  // namespace

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace pa {

void check(PaError err, const std::string& what) {
  if (err != paNoError) throw Error(what + ": " + Pa_GetErrorText(err));
}

AudioDeviceInfo describe(PaDeviceIndex index) {
  const PaDeviceInfo* info = Pa_GetDeviceInfo(index);
  AudioDeviceInfo out;
  if (!info) return out;
  out.index = index;
  out.name = info->name ? info->name : "";
  const PaHostApiInfo* host = Pa_GetHostApiInfo(info->hostApi);
  out.host_api = host && host->name ? host->name : "";
  out.max_input_channels = info->maxInputChannels;
  out.max_output_channels = info->maxOutputChannels;
  out.default_sample_rate = info->defaultSampleRate;
  out.default_input = index == Pa_GetDefaultInputDevice();
  out.default_output = index == Pa_GetDefaultOutputDevice();
  return out;
}

AudioDeviceInfo resolve_device(int index, bool input) {
  const char* direction = input ? "input" : "output";
  int count = Pa_GetDeviceCount();
  if (index < 0) {
    PaDeviceIndex fallback = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
    if (fallback == paNoDevice || count <= 0) {
      throw Error(std::string("no audio ") + direction + " device (PortAudio found " +
                  std::to_string(std::max(count, 0)) + " devices)" +
                  (input ? ": connect a microphone or pick one with --input-device N "
                           "(see --list-devices)"
                         : ": use --no-audio to play silently on the wall clock"));
    }
    index = fallback;
  }
  if (index >= count) {
    throw Error(std::string("audio ") + direction + " device " + std::to_string(index) +
                " does not exist (there are " + std::to_string(count) + "; see --list-devices)");
  }
  AudioDeviceInfo info = describe(index);
  if ((input ? info.max_input_channels : info.max_output_channels) <= 0) {
    throw Error("audio device " + std::to_string(index) + " ('" + info.name + "') has no " +
                direction + " channels (see --list-devices)");
  }
  return info;
}

}  // namespace pa

PortAudioSession::PortAudioSession() {
  PaError err;
  {
    MutedStderr muted;
    err = Pa_Initialize();
  }
  pa::check(err, "cannot initialise PortAudio");
}

PortAudioSession::~PortAudioSession() { Pa_Terminate(); }

std::vector<AudioDeviceInfo> PortAudioSession::devices() const {
  std::vector<AudioDeviceInfo> out;
  for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) out.push_back(pa::describe(i));
  return out;
}

std::optional<AudioDeviceInfo> PortAudioSession::default_output() const {
  PaDeviceIndex i = Pa_GetDefaultOutputDevice();
  if (i == paNoDevice) return std::nullopt;
  return pa::describe(i);
}

std::optional<AudioDeviceInfo> PortAudioSession::default_input() const {
  PaDeviceIndex i = Pa_GetDefaultInputDevice();
  if (i == paNoDevice) return std::nullopt;
  return pa::describe(i);
}

std::string format_device_table(const std::vector<AudioDeviceInfo>& devices) {
  if (devices.empty()) {
    return "no audio devices (PortAudio found none; on a machine without a sound card see "
           "docs/player.md for a null or PulseAudio device)\n";
  }
  std::string out = "  #  in out     rate  api    name\n";
  char line[512];
  for (const AudioDeviceInfo& d : devices) {
    std::snprintf(line, sizeof line, "%3d %3d %3d %8.0f  %-6s %s%s%s\n", d.index,
                  d.max_input_channels, d.max_output_channels, d.default_sample_rate,
                  d.host_api.c_str(), d.name.c_str(), d.default_input ? "  [default input]" : "",
                  d.default_output ? "  [default output]" : "");
    out += line;
  }
  return out;
}

}  // namespace parla::audio
