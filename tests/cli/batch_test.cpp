// `parla batch` on the real binary with tiny real renders (128x128, 1 s of the sample
// speech, landmarks given): every job once, a rerun skips them all, a failing job is
// recorded while the rest go on, bad jobs files exit 2 naming the line, shards split the
// list, a batch output equals `parla render`'s, and SIGTERM drops the in-flight render.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/core.h"
#include "tests/support/testing.h"

namespace {
namespace fs = std::filesystem;
using parla::testing::run_command;
using parla::testing::ScratchDir;
using parla::testing::shell_quote;

class Batch : public ::testing::Test {
 protected:
  void SetUp() override {
    // Inputs beside the jobs file, named relatively as a user's list would.
    const fs::path sample = parla::testing::data_dir() / "sample";
    fs::create_directories(dir / "in");
    fs::copy_file(sample / "portrait.png", dir / "in/face.png");
    fs::copy_file(sample / "portrait.landmarks.json", dir / "in/face.json");
    fs::copy_file(sample / "speech.flac", dir / "in/speech.flac");
  }

  // A job line: relative inputs, tiny render, its own seed.
  static std::string job(const std::string& output, int seed, const std::string& audio = "in/speech.flac") {
    return "in/face.png\t" + audio + "\t" + output + "\t--size 128 --duration 1 --landmarks in/face.json --seed " +
           std::to_string(seed) + "\n";
  }
  void write_jobs(const std::string& text) const { std::ofstream(dir / "jobs.tsv") << text; }
  parla::testing::CommandResult batch(const std::string& options) const {
    return run_command(shell_quote(parla::testing::parla_executable().string()) + " batch " +
                       shell_quote((dir / "jobs.tsv").string()) + " --out " + shell_quote((dir / "out").string()) +
                       " " + options + " 2>&1");
  }
  nlohmann::json summary(const std::string& name = "batch-summary.json") const {
    return nlohmann::json::parse(parla::read_text_file(dir / "out" / name));
  }
  // Lines of the completion log(s) with status "done".
  int logged_done(const std::string& log = "log.tsv") const {
    std::ifstream in(dir / "out/.parla-batch" / log);
    int count = 0;
    for (std::string line; std::getline(in, line);) count += line.find("\tdone\t") != std::string::npos;
    return count;
  }

  ScratchDir dir;
};

TEST_F(Batch, RendersEveryJobOnceAndARerunSkipsThem) {
  write_jobs("portrait\taudio\toutput\toptions\n# three clips\n\n" + job("a.mp4", 1) + job("sub/b.mp4", 2) +
             job("c.mp4", 3));
  auto r = batch("--jobs 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"a.mp4", "sub/b.mp4", "c.mp4"}) {
    EXPECT_GT(fs::file_size(dir / "out" / name), 1000u) << name;
    // A real video: 25 frames of 128x128.
    EXPECT_NEAR(parla::testing::probe_duration(dir / "out" / name, "v:0"), 1.0, 0.05) << name;
  }
  nlohmann::json s = summary();
  EXPECT_EQ(s["totals"]["done"], 3) << s.dump(1);
  EXPECT_EQ(s["workers"], 2);
  EXPECT_EQ(s["jobs"][1]["output"], "sub/b.mp4");
  EXPECT_EQ(s["jobs"][1]["line"], 5);
  EXPECT_EQ(logged_done(), 3);
  EXPECT_NE(r.output.find("[3/3] done"), std::string::npos) << r.output;

  const auto written = fs::last_write_time(dir / "out/a.mp4");
  r = batch("");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(summary()["totals"]["skipped"], 3) << summary().dump(1);
  EXPECT_EQ(logged_done(), 3) << "a rerun rendered again";
  EXPECT_EQ(fs::last_write_time(dir / "out/a.mp4"), written);
}

TEST_F(Batch, AFailingJobIsRecordedAndTheRestGoOn) {
  std::ofstream(dir / "in/not_audio.wav") << "this is not audio";
  // A killed earlier run left a temporary of c.mp4: it goes when c is rendered.
  fs::create_directories(dir / "out");
  std::ofstream(dir / "out/.c.partial-999999-0.mp4") << "half a video";
  write_jobs(job("a.mp4", 1, "in/missing.flac") + job("b.mp4", 2, "in/not_audio.wav") + job("c.mp4", 3));
  auto r = batch("--jobs 2");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  nlohmann::json s = summary();
  EXPECT_EQ(s["totals"]["failed"], 2) << s.dump(1);
  EXPECT_EQ(s["totals"]["done"], 1) << s.dump(1);
  EXPECT_EQ(s["jobs"][0]["status"], "failed");
  EXPECT_NE(s["jobs"][0]["error"].get<std::string>().find("missing.flac"), std::string::npos) << s.dump(1);
  EXPECT_NE(s["jobs"][1]["error"].get<std::string>().find("not_audio.wav"), std::string::npos) << s.dump(1);
  EXPECT_TRUE(s["jobs"][2]["error"].is_null());
  EXPECT_FALSE(fs::exists(dir / "out/a.mp4"));
  EXPECT_FALSE(fs::exists(dir / "out/b.mp4"));
  EXPECT_TRUE(fs::exists(dir / "out/c.mp4"));
  EXPECT_FALSE(fs::exists(dir / "out/.c.partial-999999-0.mp4"));
  EXPECT_NE(r.output.find("failed a.mp4 (line 1)"), std::string::npos) << r.output;
}

TEST_F(Batch, ABadJobsFileExits2NamingTheLine) {
  struct Case {
    std::string text, expected;
  };
  const Case cases[] = {
      {job("a.mp4", 1) + "in/face.png\tin/speech.flac\n", "jobs.tsv:2: expected PORTRAIT"},
      {job("a.mp4", 1) + "in/face.png\tin/speech.flac\tb.mp4\t--sise 128\n", "jobs.tsv:2: unknown option '--sise'"},
      {"# c\n" + job("a.mp4", 1) + job("a.mp4", 2), "jobs.tsv:3: the output 'a.mp4' is also written by line 2"},
      {job("a.mov", 1), "jobs.tsv:1: the output 'a.mov' must end in .mp4"},
      {"in/face.png\tin/speech.flac\ta.mp4\t-o x.mp4\n", "jobs.tsv:1: '-o' is not a job option"},
      {"in/face.png\tin/speech.flac\ta.mp4\t--text \"unclosed\n", "jobs.tsv:1: unclosed \" quote"},
  };
  for (const Case& c : cases) {
    write_jobs(c.text);
    auto r = batch("");
    EXPECT_EQ(r.exit_code, 2) << c.text << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_FALSE(fs::exists(dir / "out")) << "a bad jobs file started work";
  }
  write_jobs(job("a.mp4", 1));
  auto r = batch("--shard 2/2");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("0-based"), std::string::npos) << r.output;
  r = run_command(shell_quote(parla::testing::parla_executable().string()) + " batch " +
                  shell_quote((dir / "missing.tsv").string()) + " --out " + shell_quote((dir / "out").string()) +
                  " 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("missing.tsv"), std::string::npos) << r.output;
}

TEST_F(Batch, ShardsSplitTheListWithoutOverlap) {
  std::string text;
  for (int i = 0; i < 5; ++i) text += job("clip" + std::to_string(i) + ".mp4", i);
  write_jobs(text);
  for (int shard = 0; shard < 2; ++shard) {
    auto r = batch("--shard " + std::to_string(shard) + "/2 --jobs 1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  nlohmann::json s0 = summary("batch-summary-shard0.json"), s1 = summary("batch-summary-shard1.json");
  ASSERT_EQ(s0["jobs"].size(), 3u) << s0.dump(1);
  ASSERT_EQ(s1["jobs"].size(), 2u) << s1.dump(1);
  EXPECT_EQ(s0["jobs"][2]["index"], 4);
  EXPECT_EQ(s1["jobs"][1]["index"], 3);
  EXPECT_EQ(s1["shard"]["count"], 2);
  EXPECT_EQ(logged_done("log-shard0.tsv") + logged_done("log-shard1.tsv"), 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(fs::exists(dir / "out" / ("clip" + std::to_string(i) + ".mp4"))) << i;
}

// The workers' shared models and fitter change nothing: a batch output decodes to the
// same pictures and sound as `parla render`'s (per-frame MD5s of both streams; the
// bytes may differ where the muxer interleaves differently under load).
TEST_F(Batch, AnOutputIsExactlyWhatRenderWrites) {
  write_jobs(job("a.mp4", 7) + job("b.mp4", 8));
  auto r = batch("--jobs 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command("cd " + shell_quote(dir.path().string()) + " && " +
                  shell_quote(parla::testing::parla_executable().string()) +
                  " render in/face.png in/speech.flac -o b.mp4 --size 128 --duration 1 --landmarks in/face.json "
                  "--seed 8 -q 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto frame_md5s = [&](const fs::path& video, const std::string& name) {
    parla::testing::ffmpeg("-i " + shell_quote(video.string()) + " -map 0 -f framemd5 " +
                           shell_quote((dir / name).string()));
    return parla::read_text_file(dir / name);
  };
  const std::string batch_md5s = frame_md5s(dir / "out/b.mp4", "batch.md5"), render_md5s = frame_md5s(dir / "b.mp4", "render.md5");
  EXPECT_GT(std::count(batch_md5s.begin(), batch_md5s.end(), '\n'), 25);
  EXPECT_EQ(batch_md5s, render_md5s);
}

TEST_F(Batch, SigtermDropsTheInFlightRenderAndWritesTheSummary) {
  // ~80 s of speech: still rendering when the signal comes.
  parla::testing::ffmpeg("-stream_loop 9 -i " + shell_quote((dir / "in/speech.flac").string()) + " " +
                         shell_quote((dir / "in/long.flac").string()));
  write_jobs("in/face.png\tin/long.flac\tlong.mp4\t--size 128 --landmarks in/face.json\n" + job("later.mp4", 1));
  const std::string exe = parla::testing::parla_executable().string();
  const std::string jobs = (dir / "jobs.tsv").string(), out = (dir / "out").string();
  const std::string err_path = (dir / "stderr.txt").string();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* err = std::freopen(err_path.c_str(), "w", stderr);
    (void)err;
    ::execl(exe.c_str(), exe.c_str(), "batch", jobs.c_str(), "--out", out.c_str(), "--jobs", "1", "-q",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool rendering = false;
  for (int k = 0; k < 300 && !rendering; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "out", ec)) {
      rendering |= e.path().filename().string().find(".partial") != std::string::npos;
    }
  }
  EXPECT_TRUE(rendering) << "the render never started writing";
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  EXPECT_NE(parla::read_text_file(err_path).find("1 interrupted, 1 not run"), std::string::npos)
      << parla::read_text_file(err_path);
  nlohmann::json s = summary();
  EXPECT_EQ(s["interrupted_by"], "SIGTERM");
  EXPECT_EQ(s["jobs"][0]["status"], "interrupted") << s.dump(1);
  EXPECT_EQ(s["jobs"][1]["status"], "not_run") << s.dump(1);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir / "out")) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{".parla-batch", "batch-summary.json"}));
}

}  // namespace
