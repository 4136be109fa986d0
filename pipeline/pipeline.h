// pipeline: the stages that `parla render`, `motion`, `play` and the library (lib/,
// parla/parla.h) share, so there is one render path: audio file → streaming motion,
// motion → rendered frames (a motion thread generating while the caller renders), frames
// + the audio → MP4, and the portrait fit with its cache. Each stage streams: a long file
// runs in bounded memory.
//
//   pipeline::AudioScan scan;
//   pipeline::Mp4Output mp4(out.temp_path(), encoder_params, audio_path, renderer);
//   pipeline::render_generated(renderer, audio_path, *generator, fps, false, scan,
//                              [&](std::int64_t i, const Image& picture, const auto& changed) {
//                                mp4.write(i, picture, changed);
//                              });
//   mp4.finish(scan.seconds());
//
// Thread safety: functions are reentrant; objects are used by one thread at a time.
// render_generated runs the generator on a thread of its own and calls its sink on the
// caller's thread. Errors: InputError naming the file for bad inputs, Error otherwise;
// an exception thrown by a sink stops the motion thread and propagates.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/core.h"
#include "fusion/fusion.h"
#include "video/video.h"

namespace parla::pipeline {

// ---------------------------------------------------------------------------------
// Audio → motion (pipeline/audio_motion.cpp).

struct AudioScan {
  std::int64_t samples = 0;  // at 16 kHz mono
  float peak = 0.f;          // largest |sample|
  int source_channels = 0;
  double seconds() const { return samples / 16000.0; }
};

// Decodes the whole file once (streaming) to learn its length and level. Throws
// InputError naming the file when it holds no samples, or when it is pure silence
// (peak below -80 dBFS) unless `allow_silence`.
AudioScan scan_audio(const std::filesystem::path& path, bool allow_silence);

// FNV-1a over the file's bytes, kept to 53 bits: the seed a clip gets when none is
// given (the same file always the same motion, another file other).
std::uint64_t content_seed(const std::filesystem::path& path);

// Called with each run of motion frames (25 fps, clamped to the channel ranges) as the
// generator emits them, and the 16 kHz samples decoded so far. May throw to stop.
using MotionSink = std::function<void(std::span<const MotionFrame> frames, std::int64_t samples_decoded)>;
// Called now and then with the 16 kHz samples decoded and the container's estimate of
// the total (for progress bars); may be empty.
using DecodeProgress = std::function<void(std::int64_t samples_decoded, std::int64_t samples_expected)>;

// Audio file → motion, streaming: decode → features → generator, frames handed to
// `sink` as they are ready, in one decode pass that also fills `scan` and rejects what
// scan_audio rejects (that check runs at the end, before the generator's last frames).
void stream_motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, AudioScan& scan, const MotionSink& sink,
                              const DecodeProgress& progress = {});

// The same kept whole: a MotionTrack at 25 fps.
MotionTrack motion_from_audio(const std::filesystem::path& path, fusion::MotionGenerator& generator,
                              bool allow_silence, AudioScan& scan, const DecodeProgress& progress = {});

// ---------------------------------------------------------------------------------
// Motion → frames (pipeline/render_frames.cpp).

// One rendered output frame: its index (shown at index / fps seconds), the picture
// (valid during the call) and the rectangle that changed since the previous frame
// (x0, y0, x1, y1; the first frame's is the whole picture), for Mp4Writer. May throw
// to stop.
using FrameSink = std::function<void(std::int64_t index, const Image& picture, const std::array<int, 4>& changed)>;

// Renders ceil(audio seconds × fps) frames of the motion generated from `audio_path`:
// a motion thread runs stream_motion_from_audio while this thread renders each output
// frame as soon as the motion deciding it exists (frames sampled from the 25 fps motion
// exactly as MotionTrack::sample samples the whole track). Fills `scan`; returns the
// frame count.
std::int64_t render_generated(video::Renderer& renderer, const std::filesystem::path& audio_path,
                              fusion::MotionGenerator& generator, double fps, bool allow_silence,
                              AudioScan& scan, const FrameSink& sink);

// Renders ceil(seconds × fps) frames of a whole track (sampled at i / fps).
std::int64_t render_track(video::Renderer& renderer, const MotionTrack& track, double seconds, double fps,
                          const FrameSink& sink);

// ---------------------------------------------------------------------------------
// Frames + audio → MP4 (pipeline/mp4_output.cpp).

// An Mp4Writer fed with the frames of a FrameSink and the audio file beside them: audio
// at 48 kHz (stereo when the source is, else mono) is muxed just ahead of each frame.
// `params` gives the encoder settings and fps; size and audio format are set here.
class Mp4Output {
 public:
  Mp4Output(const std::filesystem::path& path, video::Mp4Params params,
            const std::filesystem::path& audio_path, int width, int height);
  ~Mp4Output();
  Mp4Output(const Mp4Output&) = delete;
  Mp4Output& operator=(const Mp4Output&) = delete;

  // The audio's duration as its container states it (0 when unknown), for progress.
  double audio_container_seconds() const;
  void write(std::int64_t index, const Image& picture, const std::array<int, 4>& changed);
  // Writes the audio up to `audio_seconds` (+ 1 s slack: the rest of the file), then
  // flushes; the file is complete after this.
  void finish(double audio_seconds);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---------------------------------------------------------------------------------
// Portrait fit (pipeline/fit_cache.cpp, docs/video_output.md "Portrait fit cache").

// Landmarks from `landmarks_path` when not empty (checked against the image size), else
// the cached fit of this picture and `face`, else dlib detection (then cached). `face`:
// 0 = the largest, N = the N-th from the left. Errors name the portrait or landmarks file.
video::FaceFit fit_portrait(const Image& portrait, const std::filesystem::path& portrait_path,
                            const std::filesystem::path& landmarks_path, int face);

// One small JSON per picture, keyed by its decoded pixels and video::kFaceFitVersion,
// under $XDG_CACHE_HOME/parla (an absolute path), else $HOME/.cache/parla; empty when
// neither is set (no cache). A corrupt or mismatched entry is ignored and rewritten.
std::filesystem::path fit_cache_dir();
std::filesystem::path fit_cache_file(const Image& portrait, int face = 0);

// ---------------------------------------------------------------------------------
// PCM helpers (pipeline/pcm.cpp).

// Writes interleaved float samples as a WAVE_FORMAT_IEEE_FLOAT file (what FFmpeg reads
// back exactly): how PCM held in memory enters the file-based stages.
void write_float_wav(const std::filesystem::path& path, std::span<const float> pcm, int sample_rate,
                     int channels);

// Streaming conversion of interleaved float PCM at any rate (8 kHz .. 384 kHz) and
// channel count (1..8, downmixed by averaging) to 16 kHz mono, through libswresample.
class PcmResampler {
 public:
  PcmResampler(int sample_rate, int channels);
  ~PcmResampler();
  PcmResampler(const PcmResampler&) = delete;
  PcmResampler& operator=(const PcmResampler&) = delete;

  // Appends the converted samples of `interleaved` (a multiple of the channel count) to `out`.
  void push(std::span<const float> interleaved, std::vector<float>& out);
  // Appends the resampler's delayed tail.
  void finish(std::vector<float>& out);
  int sample_rate() const;
  int channels() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace parla::pipeline
