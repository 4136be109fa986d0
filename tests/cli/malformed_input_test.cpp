// Hostile input on the real binary (issue #15): every malformed file — truncated, with
// a lying header, absurd sizes, the wrong type, NaN/inf, empty, a directory — gets
// exit 2 and one short stderr line naming the file; nothing is written, no temporary
// file is left and the input is unchanged. The named tests are regressions for the
// classes the hardening pass found (heap corruption on mirrored landmarks, a 1 Hz WAV
// header, NaN samples written as "-nan", whole numbers echoed into errors, ...).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>

#include "core/core.h"
#include "tests/cli/snapshot.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::CommandResult;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

constexpr int kSide = 512;  // the sample portrait's width and height

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

template <class T>
void put(std::string& out, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));  // little-endian hosts only, as WAV is
  out.append(raw, sizeof(T));
}

// A canonical 44-byte-header WAV around `data`, every header field as given.
std::string wav(const std::string& data, std::uint32_t rate, std::uint16_t channels,
                std::uint16_t bits = 16, std::uint16_t format = 1) {
  std::string out = "RIFF";
  put<std::uint32_t>(out, 36 + static_cast<std::uint32_t>(data.size()));
  out += "WAVEfmt ";
  put<std::uint32_t>(out, 16);
  put<std::uint16_t>(out, format);
  put<std::uint16_t>(out, channels);
  put<std::uint32_t>(out, rate);
  put<std::uint32_t>(out, rate * channels * (bits / 8));
  put<std::uint16_t>(out, static_cast<std::uint16_t>(channels * (bits / 8)));
  put<std::uint16_t>(out, bits);
  out += "data";
  put<std::uint32_t>(out, static_cast<std::uint32_t>(data.size()));
  return out + data;
}

// `count` samples of a 300 Hz tone at 16 kHz, 16-bit.
std::string pcm16(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    put<std::int16_t>(out, static_cast<std::int16_t>(8000 * std::sin(i * 0.1178)));
  }
  return out;
}

// One second of a float tone at 16 kHz whose sample at 0.5 s is `bad`.
std::string float_wav_with(float bad) {
  std::string data;
  for (int i = 0; i < 16000; ++i) put<float>(data, i == 8000 ? bad : 0.3f * std::sin(i * 0.1178f));
  return wav(data, 16000, 1, 32, /*format=IEEE float*/ 3);
}

// The sample fit, every point passed through `f`, as a landmarks file.
template <class F>
std::string landmarks_json(F f) {
  std::string text = parla::read_text_file(parla::testing::data_dir() / "sample" / "portrait.landmarks.json");
  // The file is {"format":..,"landmarks":[[x,y],...]}: rewrite each pair.
  std::string out = "{\"landmarks\":[";
  size_t pos = text.find("[[") + 1;
  for (int i = 0; i < 68; ++i) {
    size_t open = text.find('[', pos), comma = text.find(',', open), close = text.find(']', comma);
    float x = std::stof(text.substr(open + 1, comma - open - 1));
    float y = std::stof(text.substr(comma + 1, close - comma - 1));
    auto [nx, ny] = f(i, x, y);
    out += (i ? ",[" : "[") + std::to_string(nx) + "," + std::to_string(ny) + "]";
    pos = close + 1;
  }
  return out + "]}";
}

// A MotionTrack JSON with one channel and the given frames text.
std::string track(const std::string& channels, const std::string& frames, const std::string& fps = "25") {
  return "{\"fps\":" + fps + ",\"channels\":[" + channels + "],\"frames\":[" + frames + "]}";
}

std::string csv_header() { return "Timecode,BlendShapeCount,JawOpen\n"; }

class MalformedInput : public ::testing::Test {
 protected:
  void SetUp() override {
    inputs = dir / "in";
    fs::create_directory(inputs);
    portrait = inputs / "face.png";
    fs::copy_file(parla::testing::data_dir() / "sample" / "portrait.png", portrait);
    speech = inputs / "speech.wav";
    write_bytes(speech, wav(pcm16(16000), 16000, 1));
  }

  CommandResult parla(const std::string& args) {
    return parla::testing::run_command(shell_quote(parla::testing::parla_executable().string()) + " " + args);
  }

  // Expects exit 2, one stderr line of at most ~200 characters that names `named`
  // (and every fragment), no raw control bytes, and the scratch dir exactly as before.
  void expect_rejected(const std::string& args, const fs::path& named,
                       std::initializer_list<std::string> fragments = {}) {
    auto before = snapshot();
    CommandResult r = parla(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output.substr(0, 400);
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output.substr(0, 400);
    // "parla render: error: " + the capped message.
    EXPECT_LE(r.output.size(), 240u) << r.output.substr(0, 400);
    EXPECT_NE(r.output.find(named.filename().string()), std::string::npos)
        << "the message does not name " << named.filename() << ": " << r.output.substr(0, 400);
    for (const auto& f : fragments) {
      EXPECT_NE(r.output.find(f), std::string::npos) << "missing '" << f << "' in: " << r.output.substr(0, 400);
    }
    for (unsigned char c : r.output) {
      EXPECT_TRUE(c >= 0x20 || c == '\n') << "raw control byte " << int(c) << " in: " << r.output.substr(0, 400);
    }
    EXPECT_EQ(snapshot(), before) << "files changed after: " << args;
  }

  std::map<std::string, std::string> snapshot() const { return parla::testing::directory_snapshot(dir.path()); }

  fs::path make(const std::string& name, const std::string& bytes) {
    fs::path path = inputs / name;
    write_bytes(path, bytes);
    return path;
  }

  std::string q(const fs::path& p) const { return shell_quote(p.string()); }
  std::string render_with_audio(const fs::path& audio) {
    return "render " + q(portrait) + " " + q(audio) + " -o " + q(dir / "out.mp4");
  }
  std::string render_with_track(const fs::path& track_path) {
    return "render " + q(portrait) + " " + q(speech) + " --motion " + q(track_path) + " -o " + q(dir / "out.mp4");
  }
  std::string render_with_landmarks(const fs::path& landmarks) {
    return "render " + q(portrait) + " " + q(speech) + " --landmarks " + q(landmarks) + " -o " + q(dir / "out.mp4");
  }

  ScratchDir dir;
  fs::path inputs, portrait, speech;
};

// --- Regressions, one per class found -------------------------------------------

// Mirrored landmarks used to corrupt the heap in build_mesh (a write past the mesh's
// lip-side array): now refused as a file, and Rig never builds a mesh for them.
TEST_F(MalformedInput, MirroredLandmarksAreRefusedNotACrash) {
  auto left_right = make("selfie.json", landmarks_json([](int, float x, float y) {
                           return std::pair{kSide - x, y};
                         }));
  auto top_bottom = make("flipped.json", landmarks_json([](int, float x, float y) {
                           return std::pair{x, kSide - y};
                         }));
  expect_rejected(render_with_landmarks(left_right), left_right, {"mirrored"});
  expect_rejected("fit " + q(portrait) + " --landmarks " + q(left_right) + " -o " + q(dir / "fit.json"),
                  left_right, {"mirrored"});
  expect_rejected(render_with_landmarks(top_bottom), top_bottom, {"below the eyes"});
  expect_rejected("fit " + q(portrait) + " --landmarks " + q(top_bottom) + " -o " + q(dir / "fit.json"),
                  top_bottom, {"below the eyes"});
}

TEST_F(MalformedInput, LandmarksOnOneLineAreNotAFace) {
  auto line = make("line.json", landmarks_json([](int i, float, float) {
                     return std::pair{100.f + 4.f * i, 100.f + 2.f * i};
                   }));
  expect_rejected(render_with_landmarks(line), line, {"one line"});
}

TEST_F(MalformedInput, AudioHeaderThatLiesAboutTheSampleRate) {
  // 64 KB of 16 kHz audio whose header says 1 Hz: once 8.9 hours of motion.
  auto lying = make("one_hertz.wav", wav(pcm16(32000), 1, 1));
  expect_rejected("motion " + q(lying) + " -o " + q(dir / "t.json"), lying, {"1 Hz"});
  expect_rejected(render_with_audio(lying), lying, {"1 Hz"});
}

// fuzz_audio: a 102-byte WAV whose LIST INFO entry claimed 1.9 GB (its LIST 4 GB) made
// FFmpeg's RIFF INFO reader allocate and zero what it claimed: 2 GB and seconds. Parla
// walks the chunks first and refuses such a file from its header (here: 234 MB).
std::string wav_with_lying_info(const std::string& wav_bytes) {
  std::string out = wav_bytes + "LIST";
  put<std::uint32_t>(out, 0xFC00001Au);
  out += "INFOISFT";
  put<std::uint32_t>(out, 0x0E000000u);
  return out + "Lavf";
}

TEST_F(MalformedInput, RiffInfoEntryClaimingGigabytesIsRefusedFromTheHeader) {
  auto lying = make("info_234mb.wav", wav_with_lying_info(wav(pcm16(16000), 16000, 1)));
  expect_rejected("motion " + q(lying) + " -o " + q(dir / "t.json"), lying, {"INFO entry 'ISFT'"});
  expect_rejected(render_with_audio(lying), lying, {"INFO entry 'ISFT'"});
  // The same entry with its true size is metadata, and the audio decodes.
  std::string honest = wav(pcm16(16000), 16000, 1) + "LIST";
  put<std::uint32_t>(honest, 16);
  honest += "INFOISFT";
  put<std::uint32_t>(honest, 4);
  honest += "Lavf";
  auto fine = make("info_ok.wav", honest);
  auto r = parla("motion " + q(fine) + " -o " + q(dir / "ok.json"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(MalformedInput, NonFiniteOrAbsurdSamples) {
  // Once written as "-nan" into the track (exit 0), or an error naming the temp file.
  for (auto [name, value] : {std::pair{"nan.wav", std::numeric_limits<float>::quiet_NaN()},
                             std::pair{"inf.wav", std::numeric_limits<float>::infinity()},
                             std::pair{"huge.wav", 1e30f}}) {
    auto bad = make(name, float_wav_with(value));
    expect_rejected("motion " + q(bad) + " -o " + q(dir / "t.json"), bad, {"0.500 s"});
    expect_rejected("motion " + q(bad) + " -o " + q(dir / "t.csv"), bad, {"0.500 s"});
    expect_rejected(render_with_audio(bad), bad, {"0.500 s"});
  }
  // From standard input the error names '-', not the temporary copy in /tmp.
  auto bad = inputs / "nan.wav";
  expect_rejected("motion - -o " + q(dir / "t.json") + " < " + q(bad), "-", {"'-' (standard input)", "NaN"});
  expect_rejected("render " + q(portrait) + " - --start 0.1 -o " + q(dir / "out.mp4") + " < " + q(bad), "-",
                  {"'-' (standard input)", "NaN"});
}

TEST_F(MalformedInput, TooManyChannelsInParlasOwnWords) {
  auto wide = make("ch32.wav", wav(std::string(32 * 2 * 1600, '\0'), 16000, 32));
  expect_rejected("motion " + q(wide) + " -o " + q(dir / "t.json"), wide, {"32 channels", "1 to 8"});
}

TEST_F(MalformedInput, OneSampleAudioIsRefusedByEveryCommand) {
  auto tiny = make("one_sample.wav", wav(pcm16(1), 16000, 1));
  expect_rejected("motion " + q(tiny) + " -o " + q(dir / "t.json"), tiny);
  expect_rejected(render_with_audio(tiny), tiny);
}

TEST_F(MalformedInput, NumbersThatOverflowADoubleNameThePositionNotTheNumber) {
  auto e400 = make("e400.json", track("\"jawOpen\"", "[1e400]"));
  expect_rejected(render_with_track(e400), e400, {"line 1, column", "too large"});
  auto digits = make("digits.json", track("\"jawOpen\"", "[" + std::string(100000, '9') + "]"));
  expect_rejected(render_with_track(digits), digits, {"line 1, column", "too large"});
}

TEST_F(MalformedInput, EchoedInputIsShortAndEscaped) {
  auto long_name = make("long_name.json", track("\"" + std::string(1 << 20, 'x') + "\"", "[0]"));
  expect_rejected(render_with_track(long_name), long_name, {"unknown channel"});
  auto raw = make("raw_bytes.json", track("\"jaw\x01\xff\x1b[31m\"", "[0]"));
  expect_rejected(render_with_track(raw), raw, {"\\x01"});
  auto csv = make("raw_header.csv", "Timecode,BlendShapeCount,Jaw\xff\x1b" + std::string(5000, 'y') + "\n");
  expect_rejected(render_with_track(csv), csv, {"\\xFF"});
}

TEST_F(MalformedInput, TracksWithNoFramesOrRowsOutOfOrder) {
  auto empty_json = make("no_frames.json", track("\"jawOpen\"", ""));
  expect_rejected(render_with_track(empty_json), empty_json, {"no frames"});
  auto empty_csv = make("no_frames.csv", csv_header());
  expect_rejected(render_with_track(empty_csv), empty_csv, {"no frames"});
  auto reversed = make("reversed.csv", csv_header() + "00:00:00:02.000,52,0.1\n00:00:00:01.000,52,0.2\n"
                                                      "00:00:00:00.000,52,0.3\n");
  expect_rejected(render_with_track(reversed), reversed, {"time order"});
}

// A header claiming 20000x20000 (1.5 MB of PNG once took 40 s and 3.7 GB) is refused
// from the header, before any pixel is decoded; an animated WebP in Parla's words.
TEST_F(MalformedInput, PicturesTooLargeOrAnimatedAreRefusedFromTheHeader) {
  std::string png = parla::testing::file_bytes(portrait);
  for (int k = 0; k < 2; ++k) {  // IHDR width and height, big-endian 20000
    png[16 + 4 * k] = 0, png[17 + 4 * k] = 0, png[18 + 4 * k] = 0x4E, png[19 + 4 * k] = 0x20;
  }
  auto huge = make("huge.png", png);
  expect_rejected("fit " + q(huge) + " -o " + q(dir / "fit.json"), huge, {"20000x20000", "40 Mpx"});
  std::string webp = "RIFF";
  put<std::uint32_t>(webp, 4 + 18);
  webp += "WEBPVP8X";
  put<std::uint32_t>(webp, 10);
  webp += std::string("\x02\0\0\0", 4) + std::string("\xFF\x01\0\xFF\x01\0", 6);  // animated, 512x512
  auto animated = make("animated.webp", webp);
  expect_rejected("fit " + q(animated) + " -o " + q(dir / "fit.json"), animated, {"animated WebP"});
}

// --- The generated corpus: every file through the real binary --------------------

TEST_F(MalformedInput, GeneratedCorpusOfBadFiles) {
  const std::string png = parla::testing::file_bytes(portrait);
  const std::string flac = parla::testing::file_bytes(parla::testing::data_dir() / "sample" / "speech.flac");
  // (file name, bytes) for each family; a name ending in '/' is made a directory.
  std::vector<std::pair<std::string, std::string>> audio = {
      {"empty.wav", ""},
      {"riff_only.wav", "RIFF"},
      {"header_cut.wav", wav(pcm16(100), 16000, 1).substr(0, 30)},
      {"header_only.wav", wav("", 16000, 1)},
      {"rate_zero.wav", wav(pcm16(16000), 0, 1)},
      {"rate_1hz.wav", wav(pcm16(16000), 1, 1)},
      {"rate_100hz.wav", wav(pcm16(16000), 100, 1)},
      {"rate_4ghz.wav", wav(pcm16(16000), 0xFFFFFFF0u, 1)},
      {"channels_zero.wav", wav(pcm16(16000), 16000, 0)},
      {"channels_32.wav", wav(pcm16(32000), 16000, 32)},
      {"channels_65535.wav", wav(pcm16(16000), 16000, 65535)},
      {"bits_zero.wav", wav(pcm16(16000), 16000, 1, 0)},
      {"float_nan.wav", float_wav_with(std::numeric_limits<float>::quiet_NaN())},
      {"float_inf.wav", float_wav_with(std::numeric_limits<float>::infinity())},
      {"float_minus_inf.wav", float_wav_with(-std::numeric_limits<float>::infinity())},
      {"float_1e30.wav", float_wav_with(1e30f)},
      {"one_sample.wav", wav(pcm16(1), 16000, 1)},
      {"info_4gb.wav", wav_with_lying_info(wav(pcm16(1600), 16000, 1))},
      {"random.wav", std::string(4096, '\x5a') + "\x01\x02\x03"},
      {"text.mp3", "these are not sounds\n"},
      {"png_as.wav", png},
      {"flac_cut.flac", flac.substr(0, 90)},
      {"folder.wav/", ""},
  };
  std::vector<std::pair<std::string, std::string>> tracks = {
      {"empty.json", ""},
      {"object.json", "{}"},
      {"array.json", "[]"},
      {"cut.json", track("\"jawOpen\"", "[0.1],[0.2]").substr(0, 40)},
      {"e400.json", track("\"jawOpen\"", "[1e400]")},
      {"minus_e400.json", track("\"jawOpen\"", "[-1e400]")},
      {"digits.json", track("\"jawOpen\"", "[" + std::string(100000, '9') + "]")},
      {"nan_literal.json", track("\"jawOpen\"", "[NaN]")},
      {"fps_zero.json", track("\"jawOpen\"", "[0.1]", "0")},
      {"fps_huge.json", track("\"jawOpen\"", "[0.1]", "1e400")},
      {"out_of_range.json", track("\"jawOpen\"", "[7]")},
      {"no_frames.json", track("\"jawOpen\"", "")},
      {"long_name.json", track("\"" + std::string(100000, 'n') + "\"", "[0]")},
      {"bad_utf8.json", track("\"jaw\xc3\x28\xff\"", "[0]")},
      {"deep.json", std::string(100000, '[') + std::string(100000, ']')},
      {"trailing.json", track("\"jawOpen\"", "[0.1]") + "garbage"},
      {"empty.csv", ""},
      {"header_only.csv", csv_header()},
      {"reversed.csv", csv_header() + "00:00:01:00.000,52,0.1\n00:00:00:00.000,52,0.1\n"},
      {"nan_cell.csv", csv_header() + "00:00:00:00.000,52,nan\n"},
      {"huge_cell.csv", csv_header() + "00:00:00:00.000,52,1e400\n"},
      {"bad_timecode.csv", csv_header() + "\x01\xff:zz,52,0.1\n"},
      {"folder.json/", ""},
  };
  std::vector<std::pair<std::string, std::string>> landmarks = {
      {"lm_empty.json", ""},
      {"lm_67.json", "[" + std::string("[1,2],") + "[3,4]]"},
      {"lm_mirror_lr.json", landmarks_json([](int, float x, float y) { return std::pair{kSide - x, y}; })},
      {"lm_mirror_tb.json", landmarks_json([](int, float x, float y) { return std::pair{x, kSide - y}; })},
      {"lm_rotated.json", landmarks_json([](int, float x, float y) { return std::pair{kSide - x, kSide - y}; })},
      {"lm_line.json", landmarks_json([](int i, float, float) { return std::pair{10.f + 7.f * i, 300.f}; })},
      {"lm_point.json", landmarks_json([](int, float, float) { return std::pair{256.f, 256.f}; })},
      {"lm_outside.json", landmarks_json([](int, float x, float y) { return std::pair{x + 600.f, y}; })},
      {"lm_e400.json", "[[1e400,1]]"},
  };
  std::vector<std::pair<std::string, std::string>> portraits = {
      {"p_empty.png", ""},
      {"p_cut.png", png.substr(0, 200)},
      {"p_text.png", "not a picture\n"},
      {"p_wav.png", wav(pcm16(1600), 16000, 1)},
      {"p_folder.png/", ""},
      {"p_huge_ihdr.png", png.substr(0, 16) + std::string("\0\x01\0\0\0\x01\0\0", 8) + png.substr(24)},
      {"p_cut.jpg", std::string("\xFF\xD8\xFF\xC0\0\x11\x08\xFF\xFF\xFF\xFF", 11)},
  };
  auto create = [&](const std::pair<std::string, std::string>& entry) {
    fs::path path = inputs / entry.first;
    if (entry.first.back() == '/') {
      path = inputs / entry.first.substr(0, entry.first.size() - 1);
      fs::create_directory(path);
    } else {
      write_bytes(path, entry.second);
    }
    return path;
  };
  int files = 0;
  for (const auto& entry : audio) {
    fs::path path = create(entry);
    ++files;
    SCOPED_TRACE(entry.first);
    expect_rejected("motion " + q(path) + " -o " + q(dir / "t.json"), path);
    expect_rejected(render_with_audio(path), path);
  }
  for (const auto& entry : tracks) {
    fs::path path = create(entry);
    ++files;
    SCOPED_TRACE(entry.first);
    expect_rejected(render_with_track(path), path);
  }
  for (const auto& entry : landmarks) {
    fs::path path = create(entry);
    ++files;
    SCOPED_TRACE(entry.first);
    expect_rejected(render_with_landmarks(path), path);
  }
  for (const auto& entry : portraits) {
    fs::path path = create(entry);
    ++files;
    SCOPED_TRACE(entry.first);
    expect_rejected("fit " + q(path) + " -o " + q(dir / "fit.json"), path);
    expect_rejected("render " + q(path) + " " + q(speech) + " -o " + q(dir / "out.mp4"), path);
  }
  if (::geteuid() != 0) {  // root reads anything: unreadable files need a normal user
    fs::path locked = create({"locked.wav", wav(pcm16(16000), 16000, 1)});
    fs::permissions(locked, fs::perms::none);
    ++files;
    expect_rejected("motion " + q(locked) + " -o " + q(dir / "t.json"), locked, {"permission"});
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_write);
  }
  EXPECT_GE(files, 40);
}

}  // namespace
