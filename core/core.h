// core: value types every Parla module speaks — errors, the MotionTrack contract,
// images and safe output files. No third-party headers here.
//
//   parla::MotionTrack track = parla::read_motion_track("talk.json");
//   float jaw = track.frames[10][parla::index(parla::Channel::JawOpen)];
//   parla::OutputFile out("clip.json", {"talk.wav"});   // validates the path
//   parla::write_motion_json(track, out.temp_path());
//   out.commit();                                        // rename into place
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "parla/error.h"
#include "parla/motion.h"

namespace parla {

// ---------------------------------------------------------------------------------
// Errors. Setup paths throw; `main` prints what() and maps the type to an exit code.

// Error (exit code 1) and InputError (bad usage or input, exit code 2) are the public
// exceptions of parla/error.h: what the modules throw is what an embedder catches.

// Interrupts. After install_interrupt_handlers() (the CLI's render, motion and fit),
// the first SIGINT, SIGTERM or SIGHUP only sets a flag: long loops call
// check_interrupted(), which throws Interrupted so the stack unwinds normally (threads
// joined, temporaries removed), and OutputFile::commit refuses once it is set. A second
// signal unlinks every registered temporary path from the handler and exits at once
// with 128 + the signal. The flag is lock-free: any thread may poll it.
class Interrupted : public Error {
 public:
  explicit Interrupted(int signal_number);
  int signal_number() const { return signal_number_; }

 private:
  int signal_number_;
};
void install_interrupt_handlers();
int interrupt_signal();   // the first signal received, 0 for none
void check_interrupted();  // throws Interrupted once a signal came
// Temporary files (and then directories) the second signal removes; OutputFile
// registers its own. Returns a slot for unregister_temp_path (-1 when the table of 32
// is full: such a path is still removed by normal unwinding).
int register_temp_path(const std::filesystem::path& path);
void unregister_temp_path(int slot);

// ---------------------------------------------------------------------------------
// Bundled data (models/, sample/), found at run time (core/data_dir.cpp), never only
// through a path compiled in: $PARLA_DATA_DIR when set; else share/parla beside the
// installed binary or library holding this code (PREFIX/bin/parla, PREFIX/lib/libparla.so
// -> PREFIX/share/parla); else, for a binary inside the build tree, the source tree's
// data/. Throws Error naming the places looked at when none holds models/.
std::filesystem::path data_dir();

// "'path'" quoted for messages.
std::string quoted(const std::filesystem::path& path);

// Input bytes as they may appear in a message: at most `max_chars` characters, every
// byte outside printable ASCII written as \xNN, a longer input cut with "...". Every
// place that echoes bytes from an input file into an error goes through this.
std::string excerpt(std::string_view bytes, std::size_t max_chars = 32);

// "line L, column C" (both from 1) of byte `offset` in `text`, for parse errors.
std::string text_position(std::string_view text, std::size_t offset);

// The longest error line the CLI prints (characters); longer messages are cut.
inline constexpr std::size_t kMaxErrorChars = 200;
// `message` cut to at most kMaxErrorChars characters (with "..." when cut).
std::string capped_message(std::string_view message);

// Throws InputError unless `path` names an existing, readable regular file.
// `what` says what the file should be ("audio", "portrait") for the message.
void check_input_file(const std::filesystem::path& path, std::string_view what);

// ---------------------------------------------------------------------------------
// Files that appear only when complete.

// An output file written under a temporary name beside its final path and renamed
// into place by commit(); destroyed uncommitted, the temporary is removed. The
// constructor rejects (InputError) a path that is a directory, lies in a missing or
// unwritable directory, or is the same file as one of `inputs`.
class OutputFile {
 public:
  OutputFile(std::filesystem::path final_path,
             std::span<const std::filesystem::path> inputs = {});
  OutputFile(std::filesystem::path final_path,
             std::initializer_list<std::filesystem::path> inputs);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Where to write now; keeps the final extension so muxers pick the format.
  const std::filesystem::path& temp_path() const { return temp_path_; }
  const std::filesystem::path& final_path() const { return final_path_; }
  // Atomically renames the temporary onto the final path.
  void commit();

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  int temp_slot_ = -1;  // register_temp_path's slot
  bool committed_ = false;
};

// ---------------------------------------------------------------------------------
// Images.

// 8-bit RGB, row-major, no padding: pixel (x, y) starts at rgb[3 * (y * width + x)].
struct Image {
  int width = 0;   // pixels
  int height = 0;  // pixels
  std::vector<std::uint8_t> rgb;

  Image() = default;
  Image(int w, int h) : width(w), height(h), rgb(static_cast<size_t>(w) * h * 3, 0) {}
  bool empty() const { return width == 0 || height == 0; }
  std::uint8_t* pixel(int x, int y) { return &rgb[3 * (static_cast<size_t>(y) * width + x)]; }
  const std::uint8_t* pixel(int x, int y) const {
    return &rgb[3 * (static_cast<size_t>(y) * width + x)];
  }
};

// ---------------------------------------------------------------------------------
// The MotionTrack contract (DESIGN.md): 20 named channels, 25 fps canonical.

// Channel, kChannelCount, kMotionFps, index() and MotionFrame: parla/motion.h.
// Channels 0 .. kMouthChannelCount - 1 (jawOpen .. tongueOut) are the mouth.
inline constexpr int kMouthChannelCount = index(Channel::TongueOut) + 1;

struct ChannelInfo {
  std::string_view name;  // ARKit-style name, the JSON key
  float min;              // smallest valid value (inclusive)
  float max;              // largest valid value (inclusive)
  std::string_view unit;  // "", "radians", "face widths", "log scale"
};

// The fixed channel table in contract order.
const std::array<ChannelInfo, kChannelCount>& channel_table();
const ChannelInfo& channel_info(Channel c);
// Index of a channel name, or -1.
int channel_index(std::string_view name);

struct MotionTrack {
  double fps = kMotionFps;          // frames per second
  std::vector<MotionFrame> frames;  // frames[i] shows time i / fps seconds

  std::int64_t frame_count() const { return static_cast<std::int64_t>(frames.size()); }
  double duration_seconds() const { return frames.size() / fps; }
  float value(std::int64_t frame, Channel c) const { return frames.at(frame)[index(c)]; }
  // Linear interpolation at a time; clamps outside the track; neutral when empty.
  MotionFrame sample(double seconds) const;
  // The same motion at another frame rate (linear interpolation).
  MotionTrack resampled(double new_fps) const;
  // Every value clamped to its channel's range.
  void clamp_to_ranges();
};

// The all-zero frame: mouth closed, eyes open and centred, head at rest.
MotionFrame neutral_frame();

// What a user turns up or down on any generated track (--jaw-gain, --head-motion,
// --expression): gains on the rest pose (0 = none of that motion, 1 = as generated),
// applied per frame, then clamped to the channels' ranges.
struct MotionStyle {
  float jaw_gain = 1.f;     // jawOpen and the mouth's opening shapes (funnel, stretch), 0..3
  float head_motion = 1.f;  // head rotation, position and lean, 0..3
  float expression = 1.f;   // brows and smile, 0..3
  bool is_identity() const { return jaw_gain == 1.f && head_motion == 1.f && expression == 1.f; }
};
void apply_motion_style(MotionFrame& frame, const MotionStyle& style);

// Limits on one input (docs/limits.md): the longest audio or motion track one command
// accepts, and the largest track file read.
inline constexpr double kMaxInputSeconds = 4 * 3600.0;               // 4 hours
inline constexpr std::uintmax_t kMaxTrackFileBytes = 256ull << 20;  // 256 MiB

// JSON form: {"fps":25,"channels":[names...],"frames":[[20 floats],...]}.
// Reading accepts channels in any order (missing ones are neutral) and checks names,
// fps and ranges, throwing InputError that names the file, frame and channel; a track
// needs at least one frame and at most kMaxInputSeconds. Writing throws Error for a
// non-finite value or fps (never written out).
std::string motion_to_json(const MotionTrack& track);
// Throws Error unless fps and every value of `track` are finite (the writers call it).
void check_finite(const MotionTrack& track);
MotionTrack motion_from_json(std::string_view text, std::string_view source_name);

// Unreal Live Link Face CSV: Timecode, BlendShapeCount, 52 ARKit blendshapes and
// head/eye rotations. headX, headY and headScale have no column and are dropped;
// reading maps the columns back (those three read as 0).
std::string motion_to_live_link_csv(const MotionTrack& track);
MotionTrack motion_from_live_link_csv(std::string_view text, std::string_view source_name);

// The 52 ARKit blendshapes of one frame (PascalCase names as Live Link writes them, in
// its column order), mapped as the CSV maps them (docs/live_link_csv.md).
struct ArkitValue {
  std::string_view name;  // "JawOpen", "MouthClose", ...
  float value = 0.f;      // 0..1
};
inline constexpr int kArkitBlendshapeCount = 52;
std::array<ArkitValue, kArkitBlendshapeCount> arkit_blendshapes(const MotionFrame& frame);

// ---------------------------------------------------------------------------------
// VMC protocol output (OSC 1.0 over UDP, protocol.vmc.info), so VTuber apps (VSeeFace,
// VNyan, Warudo, ...) can use Parla as their face source. One OSC bundle per frame:
// /VMC/Ext/OK 1, /VMC/Ext/T seconds, /VMC/Ext/Bone/Pos "Head" (rotation from headYaw,
// headPitch, headRoll in Unity's left-handed axes; position 0), /VMC/Ext/Blend/Val for
// the 52 ARKit blendshapes (lowerCamelCase, as "perfect sync" avatars name them) and
// the VRM presets A I U E O Blink Blink_L Blink_R, then /VMC/Ext/Blend/Apply. Mapping in
// docs/vmc.md.

inline constexpr int kVmcDefaultPort = 39539;  // the VMC marionette's usual port

// The OSC bundle of one frame shown at `seconds`.
std::vector<std::uint8_t> vmc_bundle(const MotionFrame& frame, double seconds);

// Sends bundles to HOST:PORT ("127.0.0.1:39539", "localhost:39539", "[::1]:39539").
// The constructor throws InputError for an address it cannot resolve; send() never
// throws (a frame that cannot be sent is counted and dropped: the receiver may not be
// running yet). Used from one thread at a time.
class VmcSender {
 public:
  explicit VmcSender(const std::string& host_port);
  ~VmcSender();
  VmcSender(const VmcSender&) = delete;
  VmcSender& operator=(const VmcSender&) = delete;

  void send(const MotionFrame& frame, double seconds);
  std::int64_t sent() const { return sent_; }      // bundles handed to the network
  std::int64_t failed() const { return failed_; }  // bundles the socket refused
  const std::string& address() const { return address_; }

 private:
  int socket_ = -1;
  std::vector<std::uint8_t> peer_;  // the sockaddr of the receiver
  std::string address_;
  std::int64_t sent_ = 0;
  std::int64_t failed_ = 0;
};

// File helpers choosing the form by extension (.json or .csv); write through
// OutputFile so a failed write leaves nothing behind.
MotionTrack read_motion_track(const std::filesystem::path& path);
// Throws InputError naming `path` unless it ends in .json or .csv: checked before any
// work by the commands that write a track.
void check_motion_track_name(const std::filesystem::path& path);
void write_motion_track(const MotionTrack& track, const std::filesystem::path& path,
                        std::span<const std::filesystem::path> inputs = {});

// Whole-file text I/O with errors that name the file.
std::string read_text_file(const std::filesystem::path& path);
void write_text_file(const std::filesystem::path& path, std::string_view text);

// ---------------------------------------------------------------------------------
// Deterministic random numbers: the same seed gives the same stream on every platform
// (std:: distributions are implementation-defined, so generators and the corpus draw
// everything from this).

// One SplitMix64 step of `x`: a well-mixed 64-bit hash.
constexpr std::uint64_t mix_seed(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// SplitMix64 stream with the draws motion models need.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(mix_seed(seed)) {}

  std::uint64_t next_u64() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return (next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(uniform() * n); }
  bool chance(double p) { return uniform() < p; }
  // Standard normal (Box–Muller, one value per call).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
  }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  // Gamma with integer-or-not shape k ≥ 1 and the given mean (Marsaglia–Tsang).
  double gamma(double shape, double mean) {
    double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = normal(), v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = uniform();
      if (std::log(1.0 - u) < 0.5 * x * x + d - d * v + d * std::log(v))
        return d * v * mean / shape;
    }
  }
  // Log-normal with the given median and log-space standard deviation.
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
  // Index drawn in proportion to `weights`.
  std::size_t weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if ((x -= weights[i]) < 0) return i;
    }
    return weights.empty() ? 0 : weights.size() - 1;
  }

 private:
  std::uint64_t state_;
};

}  // namespace parla
