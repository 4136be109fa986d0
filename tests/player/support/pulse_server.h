// A private PulseAudio server for one test: its own HOME and XDG_RUNTIME_DIR (so tests
// and developers never share a server), two null sinks paced in real time — "speakers"
// (the default output) and "mic" (whose monitor is the default input, a virtual
// microphone fed with `paplay --device=mic`) — and an ~/.asoundrc that routes ALSA's
// default device (what PortAudio opens) to it.
#pragma once

#include <string>

#include "tests/support/testing.h"

namespace parla::testing {

class PulseServer {
 public:
  // Throws std::runtime_error when pulseaudio is not installed or does not start.
  PulseServer();
  ~PulseServer();
  PulseServer(const PulseServer&) = delete;
  PulseServer& operator=(const PulseServer&) = delete;

  // "env HOME=... XDG_RUNTIME_DIR=... " to prefix commands that should use this server.
  std::string env() const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  // Points this process's HOME and XDG_RUNTIME_DIR at the server, for PortAudio opened
  // in the test itself (before its PortAudioSession: ALSA reads ~/.asoundrc once).
  void use_in_this_process() const;
  // SIGSTOP / SIGCONT the server: a device that stops calling back without going away.
  void freeze(bool frozen) const;

 private:
  ScratchDir dir_;
};

// True when a command exists on PATH.
bool have_command(const std::string& name);

}  // namespace parla::testing
