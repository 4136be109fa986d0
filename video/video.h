// video: pictures in and out — portrait images decoded through FFmpeg, MP4 output
// (H.264 yuv420p + AAC, faststart), video input as RGB frames, and (rig section
// below) face fitting, the portrait rig and the CPU renderer.
//
//   parla::Image portrait = parla::video::load_image("face.jpg");
//   parla::OutputFile out("talk.mp4", {"face.jpg", "talk.wav"});
//   parla::video::Mp4Writer mp4(out.temp_path(), {.width = 512, .height = 512,
//                                                  .audio_rate = 16000, .audio_channels = 1});
//   mp4.write_audio(pcm16k_mono);            // interleaved float at params.audio_rate
//   for (...) mp4.write_frame(frame);        // parla::Image of width x height
//   mp4.finish();
//   out.commit();
//   parla::video::VideoReader reader("talk.mp4");   // frames back as RGB8
//
// Thread safety: objects are single-threaded. Errors: InputError for unreadable
// inputs (naming the file), Error for encoder/muxer failures.
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

#include "core/core.h"

namespace parla::video {

// ---------------------------------------------------------------------------------
// Images.

// The largest picture load_image accepts (docs/limits.md): PNG, JPEG and WebP sizes are
// read from the header and refused before any pixel is decoded.
inline constexpr std::int64_t kMaxImagePixels = 40'000'000;  // 40 Mpx, e.g. 7300x5475
inline constexpr int kMaxImageSide = 16384;                   // pixels, either side

// Decodes the first frame of a PNG, JPEG, WebP (anything FFmpeg's image demuxers
// read) to RGB8, turned upright by a JPEG's EXIF orientation tag (phone photos are
// often stored sideways). Throws InputError naming the file when it is not an image,
// is larger than the limits above, or is an animated WebP.
Image load_image(const std::filesystem::path& path);
// Writes a PNG through FFmpeg's PNG encoder.
void save_png(const Image& image, const std::filesystem::path& path);
// Bilinear resize (for previews and letterboxing).
Image resize(const Image& image, int width, int height);

// ---------------------------------------------------------------------------------
// MP4 output.

struct Mp4Params {
  int width = 512;                     // pixels; must be even (4:2:0 chroma)
  int height = 512;                    // pixels; must be even
  double fps = 25.0;                   // frames per second, > 0
  int crf = 20;                        // x264 constant rate factor, 0..51 (lower = better)
  std::string preset = "veryfast";     // x264 preset, "ultrafast" .. "placebo"
  int audio_rate = 48000;              // Hz of the PCM given to write_audio; 0 = no audio
  int audio_channels = 1;              // 1 or 2, interleaved
  int audio_bitrate = 128000;          // AAC bits per second (capped at AAC's maximum
                                       // for the rate, 96 kbit/s per channel at 16 kHz)
  std::string tune;                    // x264 tune ("" = none, "fastdecode", "zerolatency", ...)
  int encoder_threads = 0;             // x264 threads; 0 = x264's own choice (1.5 x cores)
  bool sliced_threads = false;         // x264 slice threads instead of frame threads
  // 0: write_frame/write_audio encode and mux on the caller's thread. N > 0: the caller
  // converts RGB -> YUV and queues; a writer thread encodes and muxes, with at most N
  // frames waiting (memory stays bounded), in exactly the order written.
  int queue_frames = 0;
  // A fragmented MP4 (a moof + mdat pair per keyframe interval, 10 s at most, instead of
  // one moov written at the end, so no faststart): the muxer's sample tables stay bounded
  // however long the file gets. For recordings of unbounded length (live --record).
  bool fragmented = false;
};

// The x264 presets and tunes Mp4Writer accepts.
std::span<const std::string_view> x264_presets();
std::span<const std::string_view> x264_tunes();
// Throws InputError (no file named) when fps, crf, preset, tune or threads cannot work;
// sizes and audio are not checked. Lets a command refuse bad settings before any work.
void check_encoder_settings(const Mp4Params& params);

// H.264 (yuv420p, BT.709 limited range) + AAC-LC in MP4 with the moov atom first
// (faststart; or fragmented, Mp4Params::fragmented), playable in browsers. Audio is encoded at audio_rate when AAC allows
// that rate (8 .. 96 kHz standard rates), else resampled to 48 kHz. Audio and video
// are interleaved by timestamp as they are written.
//
// Durations: with ceil(audio_seconds * fps) frames the video track ends less than one
// frame after the audio; the AAC encoder's 1024-sample priming is hidden by an MP4
// edit list, so the audio track reports the PCM's exact length (docs/video_output.md).
//
// Errors: the constructor throws InputError for invalid params or an unwritable path;
// write_frame/write_audio throw InputError for wrong sizes or non-finite samples and
// Error when the encoder fails (with queue_frames > 0, a failure on the writer thread is
// rethrown by the next write_frame, write_audio or finish call). A writer destroyed
// without finish() stops its thread and closes its file, which is left incomplete
// (OutputFile removes it).
//
// Threads: one caller thread at a time; with queue_frames > 0 the writer owns one more
// thread (plus x264's own).
class Mp4Writer {
 public:
  Mp4Writer(const std::filesystem::path& path, Mp4Params params);
  ~Mp4Writer();
  Mp4Writer(const Mp4Writer&) = delete;
  Mp4Writer& operator=(const Mp4Writer&) = delete;

  // Frame i is shown at i / fps seconds. The image must be width x height.
  void write_frame(const Image& frame);
  // The same when only `changed` (x0, y0, x1, y1, exclusive ends; empty = nothing)
  // differs from the previous frame written: only that part is converted to YUV. Every
  // frame of a writer must then come with its rectangle (the first is converted whole).
  void write_frame(const Image& frame, std::optional<std::array<int, 4>> changed);
  // Appends interleaved PCM in [-1, 1]; may be called in chunks, before, between or
  // after frames. Memory stays bounded by the chunk, not the total length.
  void write_audio(std::span<const float> samples);
  // Flushes encoders and writes the trailer; the file is complete after this.
  // Throws Error when no frame was written.
  void finish();
  std::int64_t frames_written() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---------------------------------------------------------------------------------
// Video input.

struct VideoInfo {
  int width = 0;                     // pixels, as decoded (sample aspect ratio ignored)
  int height = 0;                    // pixels
  double fps = 0;                    // frames per second (container's guess; 0 = unknown)
  std::int64_t frame_count = 0;      // estimate: the header's count, else duration x fps
  double duration_seconds = 0;       // video stream's, else the container's; 0 = unknown
  std::string codec;                 // e.g. "h264", "mpeg4"
  bool has_audio = false;            // whether the file also has an audio stream
};

// Reads the best video stream of any file FFmpeg opens (MP4, MKV, WebM, AVI, image
// files as one-frame videos), one RGB8 frame at a time, in bounded memory.
//
//   parla::video::VideoReader reader("clip.mp4");
//   parla::Image frame;
//   while (reader.read_frame(frame)) use(frame, reader.frame_time_seconds());
//
// Opening throws InputError naming the file when it is missing, not a video, or has
// no video stream; a decode failure mid-stream throws Error naming the file. Frames
// larger than kMaxImagePixels or kMaxImageSide are an InputError, on opening (the
// stream's size) and on any frame (a stream may change size mid-way).
class VideoReader {
 public:
  explicit VideoReader(const std::filesystem::path& path);
  ~VideoReader();
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;

  const VideoInfo& info() const;
  // Decodes the next frame into `frame` (resized when needed); false at the end.
  bool read_frame(Image& frame);
  // Presentation time of the last frame read, from the stream start, in seconds.
  double frame_time_seconds() const;
  std::int64_t frames_read() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---------------------------------------------------------------------------------
// Rig and renderer (docs/rig.md).
//
//   parla::Image portrait = parla::video::load_image("face.jpg");
//   parla::video::FaceFit fit = parla::video::fit_face(portrait, "face.jpg");
//   parla::video::Rig rig(portrait, fit);                 // once per portrait
//   parla::video::Renderer renderer(rig, {.framing = parla::video::Framing::Crop});
//   for (const auto& frame : track.frames) {
//     const parla::Image& picture = renderer.render(frame);  // valid until next call
//     mp4.write_frame(picture);
//   }
//
// Thread safety: FaceFitter::fit, Rig and draw_fit_preview are safe to call from any
// thread (a Rig is immutable once built). A Renderer is used by one thread at a time;
// it runs its own worker threads inside render().

// A point in portrait pixels (x right, y down; pixel centres at +0.5).
struct Point {
  float x = 0.f;
  float y = 0.f;
};

inline constexpr int kLandmarkCount = 68;  // dlib / iBUG 300-W layout
using Landmarks = std::array<Point, kLandmarkCount>;

// The smallest inter-ocular distance (pixels between the eye centres) the rig animates;
// a face of about 2.3x this width (~55 px). Smaller faces are rejected by Rig.
inline constexpr float kMinInterocularPx = 24.f;

struct FaceFit {
  Landmarks landmarks;       // portrait pixels
  int faces_found = 1;       // faces the detector saw (1 when landmarks came from a file)
  std::string warning;       // non-empty when the caller should tell the user something
};

// dlib's HOG frontal face detector + 68-point shape predictor. Construction loads the
// model (~1 s); fit() is const and thread-safe.
class FaceFitter {
 public:
  // Debian libdlib-data's model.
  static constexpr const char* kDefaultModel =
      "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
  explicit FaceFitter(const std::filesystem::path& model_path = kDefaultModel);
  ~FaceFitter();
  FaceFitter(const FaceFitter&) = delete;
  FaceFitter& operator=(const FaceFitter&) = delete;

  // Fits face `face`: 0 = the largest (warning when there are several), N >= 1 = the
  // N-th face from the left. Throws InputError naming `source_name` when no face is
  // found (suggesting --landmarks), when there are fewer than N faces, or when the face
  // is smaller than kMinInterocularPx.
  FaceFit fit(const Image& portrait, const std::string& source_name, int face = 0) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// fit() through a process-wide FaceFitter loaded on first use.
FaceFit fit_face(const Image& portrait, const std::string& source_name, int face = 0);
// Changes whenever fit() could give other landmarks for the same picture (detector,
// upsampling rule, model, rounding): part of the key of cached fits (cli/portrait.cpp).
inline constexpr std::string_view kFaceFitVersion = "dlib-hog-sp68-v1";
// The note FaceFit::warning carries when several faces were found ("" for one).
std::string several_faces_warning(int faces_found, const std::string& source_name);

// Landmarks as JSON: {"landmarks": [[x, y], ... 68 pairs]} (a bare array of 68 pairs
// is accepted too). Reading throws InputError naming the file and the problem.
std::string landmarks_to_json(const Landmarks& landmarks);
Landmarks landmarks_from_json(std::string_view text, std::string_view source_name);
// read_landmarks_json + checks that every point lies inside a width x height portrait.
FaceFit read_landmarks_file(const std::filesystem::path& path, int width, int height);

// The face frame: origin between the eye centres, x along the eye line towards the
// subject's left (image right), y perpendicular (down), unit = inter-ocular distance.
struct FaceFrame {
  Point origin;              // portrait pixels
  float angle_rad = 0.f;     // eye-line tilt, image x axis to face x axis
  float interocular_px = 0;  // pixels per face unit
  Point to_face(Point image_px) const;
  Point to_image(Point face) const;
};
FaceFrame face_frame(const Landmarks& landmarks);
// Why 68 landmarks cannot be a face the rig can use, or "" when they can: points all on
// one line, eyes mirrored (36-41, the subject's right eye, must lie left of 42-47 in
// the image as dlib orders them), an eye line tilted past 60 degrees, nose, mouth or
// chin not below the eyes in that order (an upside-down fit), a jaw or mouth in
// reversed order, or proportions no face has. Checked on every --landmarks file and
// again by Rig, so the mesh is only ever built for a face-shaped layout.
std::string landmark_geometry_problem(const Landmarks& landmarks);
// Whether `p` lies inside the closed polygon `polygon` (even-odd rule).
bool inside_polygon(std::span<const Point> polygon, Point p);
// Calls `visit(x, y)` for every pixel of a width x height picture whose centre lies
// inside `polygon` (the picture's pixels; even-odd rule), row by row from the top.
void for_each_pixel_inside(int width, int height, std::span<const Point> polygon,
                           const std::function<void(int x, int y)>& visit);
// The same over dlib's inner-lip polygon (points 60-67 of `landmarks`): what a viewer
// sees of the open mouth's inside. Nothing when the lips touch.
void for_each_inner_lip_pixel(int width, int height, const Landmarks& landmarks,
                              const std::function<void(int x, int y)>& visit);

struct RigParams {
  // Mesh density: cells per inter-ocular distance (columns are twice as dense across
  // the mouth).
  float grid_cells_per_unit = 8.f;
};

// The portrait rig: the image, its fit, the face frame, a mesh (regular grid in the face
// frame, cut along the lip line, landmarks as deformer anchors), per-vertex channel
// displacement fields, depth and head weight, and colours for the mouth interior and
// the eyes. Cheap to copy (shared, immutable state).
class Rig {
 public:
  // Throws InputError when the face is smaller than kMinInterocularPx.
  Rig(Image portrait, const FaceFit& fit, RigParams params = {});

  const Image& portrait() const;
  const Landmarks& landmarks() const;
  const FaceFrame& frame() const;
  // Mesh vertices at rest (portrait pixels) and triangles (vertex indices), for
  // previews and tests.
  std::span<const Point> rest_vertices() const;
  std::span<const std::array<int, 3>> triangles() const;
  // Vertex positions (portrait pixels) for one frame of motion, before framing.
  std::vector<Point> posed_vertices(const MotionFrame& motion) const;
  // Rest head weight per vertex: 1 on face and hair, 0 on shoulders and background.
  std::span<const float> head_weights() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// The portrait with landmarks (numbered dots) and the mesh drawn over it.
Image draw_fit_preview(const Rig& rig);

// How a pose distorts the mesh (video/rig_checks.cpp): the rig's fold checks in tests and
// the VQ measure of `parla eval experts`.
inline constexpr double kRigStretchLimit = 3.0;  // posed / rest triangle area counted as stretched
struct RigDistortion {
  // Triangles with real rest area whose posed area turns over or collapses below 2 % of
  // it (those over the portrait's own teeth, which the closing lips cover, count only
  // when they turn over by more than 5 %).
  std::vector<int> folded;
  int inverted_mouth = 0;  // mouth-strip triangles turned against an open mouth (> 0.05 px²)
  int stretched = 0;       // triangles grown past kRigStretchLimit times their rest area
  double max_area_ratio = 1;  // largest posed / rest area over the triangles with real area
};
RigDistortion rig_distortion(const Rig& rig, const MotionFrame& motion);

enum class Framing {
  Crop,  // a square around the face
  // The whole portrait at its own size; only the head region is re-rendered. An odd
  // width or height gets one more column (row) repeating the last, as H.264's 4:2:0
  // needs even sizes.
  Full,
};

struct RenderParams {
  Framing framing = Framing::Crop;
  // Crop: output side in pixels (even). 0 = follow the face resolution: the crop's side
  // in portrait pixels rounded to a multiple of 16, clamped to [256, 512].
  int size = 0;
  // Crop side in inter-ocular distances (the square is centred below the eyes, moved
  // and if need be shrunk to stay inside the portrait).
  float crop_units = 5.2f;
  int threads = 0;  // worker threads including the caller; 0 = hardware concurrency
};

// Renders MotionFrames of one Rig. The static background and per-triangle setup are
// prepared once; each frame re-rasterises only the triangles that move (and restores
// what moved in the previous frame).
class Renderer {
 public:
  Renderer(Rig rig, RenderParams params = {});
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // The picture for one frame; the reference stays valid (and unchanged) until the next
  // render() call or the Renderer's destruction. Values are clamped to the channel
  // table's ranges (NaN reads as neutral), so any MotionFrame renders.
  const Image& render(const MotionFrame& motion);

  int width() const;
  int height() const;
  // Output pixels per portrait pixel (>1 means the portrait is enlarged).
  double scale() const;
  // The portrait point at output pixel (0, 0): output = (portrait - origin) * scale.
  // (Added for the player's OpenGL path, which draws the same framing.)
  Point origin() const;
  // One line for the user when the crop enlarges the portrait by more than 1.5x,
  // else empty.
  std::string framing_note() const;
  // Rectangle re-rendered by the last render() call, in output pixels
  // (x0, y0, x1, y1, exclusive ends; empty when nothing changed).
  std::array<int, 4> last_dirty_rect() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace parla::video
