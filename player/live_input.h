// Private to player: where `live` hears from — the microphone (audio::CaptureStream) or
// a file fed in real time (--input), behind one interface so the live worker, its
// latency stamps and the recording treat both alike.
//
// Threads: start/stop/active/finished from the main thread; read/next_stamp from the one
// consumer (the live worker); stats from any thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "audio/audio.h"

namespace parla::player {

class LiveInput {
 public:
  virtual ~LiveInput() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  // Consumer: up to out.size() samples (16 kHz mono), oldest first; 0 when none wait.
  virtual size_t read(std::span<float> out) = 0;
  // Consumer: the next stamp (samples delivered so far, wall time), oldest first.
  virtual bool next_stamp(audio::CaptureStamp& stamp) = 0;
  virtual bool active() const = 0;
  // A file that has been delivered to its end (plus the trailing silence); never for
  // the microphone.
  virtual bool finished() const { return false; }
  virtual audio::CaptureStats stats() const = 0;
  // For the start-up line: "device 3 ('default'), input latency 20 ms".
  virtual std::string describe() const = 0;
};

// The microphone; needs a live audio::PortAudioSession. Throws Error naming the device.
std::unique_ptr<LiveInput> open_microphone(int device);

// `pcm` (16 kHz mono) delivered in real time by a feeder thread in 10 ms buffers through
// the capture path's lock-free rings (audio::SpscRing of samples and of CaptureStamps,
// stamped with the wall time of each push like a capture callback), followed by
// `tail_seconds` of silence so the generator's look-ahead reaches the last frames.
std::unique_ptr<LiveInput> open_file_input(std::vector<float> pcm, std::string name,
                                           double tail_seconds);

}  // namespace parla::player
