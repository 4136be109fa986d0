// parla/parla.h — Parla as a library: one portrait + speech → a talking portrait.
// The one header an embedder includes (libparla; CMake: find_package(Parla) and link
// Parla::parla; pkg-config: parla). It holds only standard C++ types: no LibTorch,
// dlib, FFmpeg or GLFW header comes with it. Scoring videos with the critic is in
// parla/critic.h (library parla_critic, Parla::critic), which needs LibTorch.
//
//   #include <parla/parla.h>
//
//   parla::Params params;                    // the defaults of `parla render`
//   params.size = 384;                       // a 384² crop around the face
//   parla::RenderResult r = parla::render_file(params, "face.png", "talk.wav", "out.mp4");
//
//   // RGBA frames through a callback instead of a file; PCM in memory instead of a file:
//   parla::render_frames(params, "face.png", parla::Pcm{samples, 48000, 1},
//                        [&](const parla::Picture& p) { upload(p.rgba, p.width, p.height); return true; });
//
//   // Live: push PCM as it arrives, pull 25 fps motion (and pictures) as it is ready.
//   parla::Animator animator(params, "face.png");
//   animator.push(mic_chunk, 48000);
//   while (std::optional<parla::MotionFrame> m = animator.pull()) show(animator.render(*m));
//
// Errors: every function throws parla::Error (parla/error.h); code() says which kind —
// ErrorCode::bad_input for a missing or unreadable file, a portrait without a face or a
// parameter out of range (what() names the file or parameter), ErrorCode::runtime for
// failures while working (an encoder error, missing model data). A callback's own
// exception propagates unchanged, after the work has stopped and temporaries are gone.
//
// Thread safety: the free functions are reentrant; several renders may run at once on
// different threads (each uses a motion thread and the renderer's worker threads of its
// own). An Animator is used by one thread at a time; distinct Animators are independent.
// Callbacks are called on the thread that called the function.
//
// Data: the motion model and the sample are found at run time (docs/library.md "Data
// lookup"): $PARLA_DATA_DIR, else PREFIX/share/parla beside the installed library.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parla/error.h"
#include "parla/motion.h"

namespace parla {

// The library's version, "MAJOR.MINOR.PATCH" (also PARLA_VERSION in parla.pc).
const char* version();

// What `parla render` accepts, with its defaults (parla render --help). Every range is
// checked when a function starts; a value outside throws Error(bad_input) naming it.
struct Params {
  // --- Picture -----------------------------------------------------------------
  int size = 0;             // crop framing: output side in pixels, even, 64..4096;
                            // 0 = follow the face's resolution (256..512)
  bool full_frame = false;  // the whole portrait at its own size (excludes `size`)
  int face = 0;             // with several faces: the N-th from the left, 1..64; 0 = the largest
  std::filesystem::path landmarks;  // 68 landmarks as JSON (parla fit -o) instead of detection

  // --- Video file (render_file only) -----------------------------------------------
  double fps = 25.0;                  // output frames per second, 1..120 (render_frames too)
  int crf = 20;                       // x264 quality 0..51, lower is better
  std::string preset = "superfast";   // x264 preset, ultrafast..placebo
  std::string tune;                   // x264 tune ("" = none, "fastdecode", "zerolatency", ...)
  int encoder_threads = 2;            // x264 threads, 0 = x264's choice

  // --- Motion ----------------------------------------------------------------------
  std::string generator = "learned";  // "learned" (diffusion model) or "classic" (rule-based)
  int steps = 2;                      // diffusion steps of the learned generator, 1..50
  std::int64_t seed = -1;             // 0..2^53 for head motion, blinks and gaze; -1 = from the
                                      // audio's bytes (each clip its own; Animator: 0)
  std::filesystem::path weights;      // learned generator's weights ("" = the bundled model)
  float jaw_gain = 1.f;               // jaw opening x G, 0..3 (0.7 subtler, 1.3 wider)
  float head_motion = 1.f;            // head motion amplitude x A, 0..3 (0 keeps the head still)
  float expression = 1.f;             // brow and smile intensity x E, 0..3
  double blink_rate = -1;             // blinks per minute, 0..60; -1 = natural (~19 in speech)
  // TLPO experts (lip sync, motion naturalness, visual quality) fused by the timestep x
  // layer gate: "on" (the installed experts; the base model while none are installed),
  // "uniform" (the plain average, g = 1) or "off" (the base model).
  std::string experts = "on";
  std::filesystem::path experts_dir;  // experts to fuse ("" = the installed ones); a folder
                                      // given must hold ls.pt, mn.pt, vq.pt and gate.pt
  std::array<float, 3> expert_scale{1.f, 1.f, 1.f};  // ls, mn, vq: each expert x 0..4;
                                                     // all 0 = the base model
  bool base_jaw = true;               // with experts, jawOpen and mouthClose from the base
                                      // model (false: the experts decide them too)
  bool allow_silence = false;         // accept audio that is pure silence (else bad_input)

  // --- Streaming (Animator only) ---------------------------------------------------
  int chunk_frames = 1;      // motion frames per model window, 1..49 (whole files use 46)
  int lookahead_frames = 4;  // 40 ms frames of audio past the chunk each window sees, 1..49:
                             // more follows the lips closer but adds latency
};

// Speech held in memory: float PCM in [-1, 1], interleaved when channels > 1. The
// samples are read during the call only.
struct Pcm {
  std::span<const float> samples;
  int sample_rate = 16000;  // Hz, 8000..384000
  int channels = 1;         // 1..8 (mixed down to mono for the motion)
};

// One rendered picture: RGBA8 (alpha 255), row-major, width × height × 4 bytes, no
// padding. `rgba` is valid during the callback (render_frames) or until the next
// Animator::render call.
struct Picture {
  int width = 0;   // pixels
  int height = 0;  // pixels
  const std::uint8_t* rgba = nullptr;
  std::int64_t index = 0;  // frame number, shown at index / fps seconds
  double seconds = 0;      // index / fps
};

// Called once per rendered frame, in order; return false to stop early (the result
// then counts the frames delivered; render_frames does not throw for it).
using FrameCallback = std::function<bool(const Picture& picture)>;

struct RenderResult {
  std::int64_t frames = 0;   // frames written or delivered
  int width = 0;             // pixels
  int height = 0;            // pixels
  double audio_seconds = 0;  // length of the speech
};

// Portrait (PNG, JPEG, WebP with one clearly visible face) + speech (any file FFmpeg
// reads, or PCM) → an MP4 (H.264 + AAC, ceil(audio seconds × fps) frames). The output
// appears only when complete (written under a temporary name, then renamed); a failed
// render leaves nothing behind. `output` must end in .mp4.
RenderResult render_file(const Params& params, const std::filesystem::path& portrait,
                         const std::filesystem::path& audio, const std::filesystem::path& output);
RenderResult render_file(const Params& params, const std::filesystem::path& portrait, const Pcm& audio,
                         const std::filesystem::path& output);

// The same frames handed to `on_frame` as RGBA pictures instead of encoded.
RenderResult render_frames(const Params& params, const std::filesystem::path& portrait,
                           const std::filesystem::path& audio, const FrameCallback& on_frame);
RenderResult render_frames(const Params& params, const std::filesystem::path& portrait, const Pcm& audio,
                           const FrameCallback& on_frame);

// Speech → motion only: 25 fps MotionFrames (ceil(seconds × 25)), what `parla motion`
// writes. Uses the Motion fields of `params`.
std::vector<MotionFrame> generate_motion(const Params& params, const std::filesystem::path& audio);
std::vector<MotionFrame> generate_motion(const Params& params, const Pcm& audio);

// The ARKit-style name of a channel ("jawOpen", ...), and back (-1 for an unknown name).
std::string_view channel_name(Channel channel);
int channel_index(std::string_view name);

// A streaming animator for live input (microphone, network, a game's voice chat):
// push PCM as it arrives, pull motion frames as soon as the model has decided them,
// and render them on the portrait if one was given. Frame k shows time k / 25 s of the
// pushed speech; a frame needs `lookahead_seconds()` of audio after its time (the
// generator's look-ahead plus the features' window), so latency = that + the push
// cadence. Pulling is exactly what a whole-file generate_motion gives for the same
// samples, seed and chunking, however the pushes are cut.
class Animator {
 public:
  // Loads the motion model; with a portrait, also fits the face (~1 s with dlib, then
  // cached) and prepares the renderer. An empty `portrait` animates motion only.
  explicit Animator(const Params& params, const std::filesystem::path& portrait = {});
  ~Animator();
  Animator(Animator&&) noexcept;
  Animator& operator=(Animator&&) noexcept;

  // Appends speech: float PCM (interleaved when channels > 1). The first call fixes the
  // rate and channels; later calls must use the same (else bad_input).
  void push(std::span<const float> samples, int sample_rate = 16000, int channels = 1);
  // End of speech: the frames held back for look-ahead become available.
  void finish();
  // The next motion frame (25 fps, clamped to the channel ranges), or nothing when
  // none is ready yet.
  std::optional<MotionFrame> pull();
  // Every frame ready now, appended to `out`; returns how many.
  std::size_t pull_all(std::vector<MotionFrame>& out);

  // Draws `frame` on the portrait (Error(bad_input) for an Animator without one). The
  // picture stays valid until the next render call. index / seconds count the calls.
  Picture render(const MotionFrame& frame);
  int width() const;   // pictures' size, pixels (0 without a portrait)
  int height() const;

  double lookahead_seconds() const;  // audio needed past a frame's time
  std::int64_t frames_pulled() const;
  std::int64_t samples_pushed() const;  // at 16 kHz mono

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The bundled sample (data/sample: a portrait and 8 s of speech), for tests and examples.
std::filesystem::path sample_portrait();
std::filesystem::path sample_audio();
// Where the bundled data was found (docs/library.md "Data lookup"); Error(runtime)
// naming the places looked at when none holds it.
std::filesystem::path data_dir();

}  // namespace parla
