// Every kind of bad input gets one line on stderr naming the file and the problem,
// exit code 2, no output file, and untouched inputs — checked on the real binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/core.h"
#include "tests/cli/snapshot.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::CommandResult;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    portrait = dir / "face.png";
    fs::copy_file(parla::testing::data_dir() / "sample" / "portrait.png", portrait);
    speech = dir / "speech.wav";
    parla::testing::make_speech(speech, "Hello there, this is a short test.");
  }

  CommandResult parla(const std::string& args, const std::string& prefix = "") {
    return parla::testing::run_command(prefix + shell_quote(parla::testing::parla_executable().string()) +
                                       " " + args);
  }

  // Runs `args`, expects exit 2 with one stderr line containing every fragment, and
  // that the directory holds exactly the files it held before (nothing half-written).
  void expect_rejected(const std::string& args, std::initializer_list<std::string> fragments,
                       const std::string& prefix = "") {
    auto before = snapshot();
    CommandResult r = parla(args, prefix);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    for (const auto& f : fragments) EXPECT_NE(r.output.find(f), std::string::npos) << "missing '" << f << "' in: " << r.output;
    EXPECT_EQ(snapshot(), before) << "files changed after: " << args;
  }

  std::map<std::string, std::string> snapshot() const { return parla::testing::directory_snapshot(dir.path()); }

  std::string q(const fs::path& p) const { return shell_quote(p.string()); }

  ScratchDir dir;
  fs::path portrait, speech;
};

TEST_F(BadInput, MissingAudioFile) {
  expect_rejected("render " + q(portrait) + " " + q(dir / "nope.wav") + " -o " + q(dir / "o.mp4"),
                  {"nope.wav", "no such file"});
}

TEST_F(BadInput, MissingPortraitFile) {
  expect_rejected("render " + q(dir / "nope.png") + " " + q(speech) + " -o " + q(dir / "o.mp4"),
                  {"nope.png", "no such file"});
}

TEST_F(BadInput, TextFileAsAudio) {
  parla::write_text_file(dir / "notes.txt", "these are not sounds\n");
  expect_rejected("render " + q(portrait) + " " + q(dir / "notes.txt") + " -o " + q(dir / "o.mp4"),
                  {"notes.txt"});
  expect_rejected("motion " + q(dir / "notes.txt") + " -o " + q(dir / "t.json"), {"notes.txt"});
}

TEST_F(BadInput, ImageAsAudio) {
  expect_rejected("motion " + q(portrait) + " -o " + q(dir / "t.json"), {"face.png", "audio"});
}

TEST_F(BadInput, CorruptAudio) {
  std::string noise(20000, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 2654435761u) >> 13);
  parla::write_text_file(dir / "corrupt.mp3", noise);
  expect_rejected("motion " + q(dir / "corrupt.mp3") + " -o " + q(dir / "t.json"), {"corrupt.mp3"});
}

TEST_F(BadInput, TruncatedAudioHeader) {
  std::string bytes = parla::read_text_file(speech);
  parla::write_text_file(dir / "cut.wav", bytes.substr(0, 30));  // a WAV cut inside its header
  expect_rejected("motion " + q(dir / "cut.wav") + " -o " + q(dir / "t.json"), {"cut.wav"});
}

TEST_F(BadInput, ZeroLengthAudio) {
  parla::testing::ffmpeg("-f lavfi -i anullsrc=r=16000:cl=mono -t 0 " + q(dir / "empty.wav"));
  expect_rejected("motion " + q(dir / "empty.wav") + " -o " + q(dir / "t.json"), {"empty.wav"});
  parla::write_text_file(dir / "zero.mp3", "");
  expect_rejected("motion " + q(dir / "zero.mp3") + " -o " + q(dir / "t.json"), {"zero.mp3"});
}

TEST_F(BadInput, PureSilence) {
  parla::testing::ffmpeg("-f lavfi -i anullsrc=r=16000:cl=mono -t 2 " + q(dir / "quiet.wav"));
  expect_rejected("render " + q(portrait) + " " + q(dir / "quiet.wav") + " -o " + q(dir / "o.mp4"),
                  {"quiet.wav", "silence"});
}

TEST_F(BadInput, PortraitThatIsNotAnImage) {
  expect_rejected("render " + q(speech) + " " + q(speech) + " -o " + q(dir / "o.mp4"), {"speech.wav"});
  parla::write_text_file(dir / "fake.png", "not a png at all");
  expect_rejected("render " + q(dir / "fake.png") + " " + q(speech) + " -o " + q(dir / "o.mp4"), {"fake.png"});
}

TEST_F(BadInput, PortraitWithNoFace) {
  parla::testing::ffmpeg("-f lavfi -i color=c=gray:s=400x400 -frames:v 1 " + q(dir / "wall.png"));
  expect_rejected("fit " + q(dir / "wall.png"), {"wall.png", "no face", "--landmarks"});
  expect_rejected("render " + q(dir / "wall.png") + " " + q(speech) + " -o " + q(dir / "o.mp4"),
                  {"wall.png", "no face"});
  expect_rejected("fit " + q(dir / "nope.png"), {"nope.png", "no such file"});
}

TEST_F(BadInput, LandmarksFileThatIsWrong) {
  parla::write_text_file(dir / "lm.json", "{\"landmarks\": [[1, 2], [3, 4]]}");
  expect_rejected("render " + q(portrait) + " " + q(speech) + " --landmarks " + q(dir / "lm.json") + " -o " +
                      q(dir / "o.mp4"),
                  {"lm.json"});
}

TEST_F(BadInput, WeightsThatAreMissingOrNotAModel) {
  expect_rejected("render " + q(portrait) + " " + q(speech) + " --weights " + q(dir / "none.pt") +
                      " -o " + q(dir / "o.mp4"),
                  {"none.pt", "no such file"});
  parla::write_text_file(dir / "fake.pt", "not a weight file\n");
  expect_rejected("motion " + q(speech) + " --weights " + q(dir / "fake.pt") + " -o " + q(dir / "t.json"),
                  {"fake.pt"});
}

TEST_F(BadInput, OutputIsAnExistingDirectory) {
  fs::create_directory(dir / "out.mp4");
  expect_rejected("render " + q(portrait) + " " + q(speech) + " -o " + q(dir / "out.mp4"),
                  {"out.mp4", "directory"});
}

TEST_F(BadInput, OutputDirectoryMissing) {
  expect_rejected("motion " + q(speech) + " -o " + q(dir / "no" / "t.json"), {"t.json", "does not exist"});
}

TEST_F(BadInput, OutputDirectoryNotWritable) {
  fs::create_directory(dir / "locked");
  fs::permissions(dir / "locked", fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  // Root writes anywhere: run the check as an unprivileged user instead.
  std::string prefix = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  fs::permissions(dir.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  expect_rejected("motion " + q(speech) + " -o " + q(dir / "locked" / "t.json"), {"t.json", "not writable"}, prefix);
}

TEST_F(BadInput, OutputEqualsInput) {
  parla::testing::ffmpeg("-i " + q(speech) + " -c:a aac " + q(dir / "speech.mp4"));
  expect_rejected("render " + q(portrait) + " " + q(dir / "speech.mp4") + " -o " + q(dir / "speech.mp4"),
                  {"speech.mp4", "also an input"});
}

TEST_F(BadInput, UsageErrors) {
  expect_rejected("render " + q(portrait) + " " + q(speech), {"-o"});
  expect_rejected("render " + q(portrait) + " " + q(speech) + " -o " + q(dir / "o.avi"), {"o.avi", ".mp4"});
  expect_rejected("render " + q(portrait) + " " + q(speech) + " -o " + q(dir / "o.mp4") + " --fps abc",
                  {"--fps", "abc"});
  expect_rejected("render --bogus", {"--bogus"});
  expect_rejected("motion " + q(speech) + " -o " + q(dir / "t.json") + " --generator nope", {"nope", "classic"});
  EXPECT_EQ(parla("frobnicate").exit_code, 2);
}

TEST_F(BadInput, MotionTrackThatDoesNotCoverTheAudio) {
  // A 1 s track for ~2 s of speech would freeze the face for the rest; a track longer
  // than the audio would be cut. Both are refused before any work.
  auto short_track = dir / "short.json";
  parla::MotionTrack track;
  track.frames.assign(25, parla::neutral_frame());
  parla::write_motion_track(track, short_track);
  double speech_s = parla::testing::probe_duration(speech);
  ASSERT_GT(speech_s, 1.6);
  expect_rejected("render " + q(portrait) + " " + q(speech) + " --motion " + q(short_track) + " -o " +
                      q(dir / "o.mp4"),
                  {"short.json", "covers 1.00 s", "speech.wav", "freeze"});
  auto long_track = dir / "long.json";
  track.frames.assign(static_cast<size_t>((speech_s + 2) * 25), parla::neutral_frame());
  parla::write_motion_track(track, long_track);
  expect_rejected("render " + q(portrait) + " " + q(speech) + " --motion " + q(long_track) + " -o " +
                      q(dir / "o.mp4"),
                  {"long.json", "cut short"});
}

TEST_F(BadInput, TyposGetTheClosestName) {
  expect_rejected("rendr", {"unknown command 'rendr'", "did you mean 'render'?"});
  expect_rejected("scroe", {"did you mean 'score'?"});
  expect_rejected("render " + q(portrait) + " " + q(speech) + " -o " + q(dir / "o.mp4") + " --sze 512",
                  {"unknown option '--sze'", "did you mean '--size'?"});
  // Nothing close: no guess.
  CommandResult r = parla("frobnicate");
  EXPECT_EQ(r.output.find("did you mean"), std::string::npos) << r.output;
}

TEST_F(BadInput, EvalWithoutTheSharedMediaSaysWhereItLooked) {
  fs::create_directories(dir / "corpus");
  const std::string no_media = "PARLA_MEDIA_DIR=" + q(dir / "no-media") + " ";
  expect_rejected("eval experts --corpus " + q(dir / "corpus"), {"no-media", "no portraits/ folder", "--media"},
                  no_media);
  expect_rejected("eval critic --data " + q(dir / "corpus"), {"corpus", "not a 'parla train critic' run"});
  fs::create_directories(dir / "run" / "data");
  std::ofstream(dir / "run" / "data" / "critic_data.pt") << "x";
  expect_rejected("eval critic --data " + q(dir / "run"), {"no-media", "no video/ folder", "--media"}, no_media);
  // --media wins over the environment.
  expect_rejected("eval experts --corpus " + q(dir / "corpus") + " --media " + q(dir / "elsewhere"),
                  {"elsewhere", "no portraits/ folder"}, no_media);
}

TEST_F(BadInput, EverySubcommandHasHelp) {
  // score, train and eval run in parla-torch, reached through parla.
  for (std::string cmd : {"render", "motion", "fit", "score", "train", "eval"}) {
    CommandResult r = parla(cmd + " --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.output.find("usage: parla " + cmd), std::string::npos) << r.output;
    CommandResult help = parla("help " + cmd);  // git-style: parla help render
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_EQ(help.output, r.output) << cmd;
  }
  CommandResult top = parla("--help");
  EXPECT_EQ(top.exit_code, 0);
  for (std::string cmd : {"render", "motion", "fit", "score", "train", "eval"}) {
    EXPECT_NE(top.output.find("\n  " + cmd + " "), std::string::npos) << top.output;
  }
}

}  // namespace
