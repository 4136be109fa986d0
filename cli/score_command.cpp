// `parla score VIDEO... [--audio A] [--json F] [--html F]`: the Talking-Critic on any
// talking-head video (critic/, docs/critic.md): lip sync, motion naturalness and visual
// quality on a 0..100 scale, the AV offset, MN statistics, the worst seconds.
#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "cli/torch_commands.h"
#include "cli/progress.h"
#include "audio/audio.h"
#include "critic/critic.h"

namespace parla::cli {
namespace {

int run_score(const ParsedArgs& args) {
  std::vector<std::filesystem::path> videos(args.positionals.begin(), args.positionals.end());
  for (const auto& v : videos) check_input_file(v, "video");
  critic::AnalysisParams analysis;
  if (auto audio = args.value("audio")) {
    if (videos.size() != 1) throw InputError("--audio goes with exactly one video");
    check_input_file(*audio, "audio");
    analysis.audio = *audio;
  }
  auto is_track = [](const std::filesystem::path& p) { return p.extension() == ".json" || p.extension() == ".csv"; };
  for (const auto& v : videos) {
    if (is_track(v) && analysis.audio.empty()) {
      throw InputError("scoring the MotionTrack " + quoted(v) + " needs its audio: --audio FILE");
    }
  }
  std::optional<OutputFile> json_out, html_out;  // validated before any work
  const auto track_path = args.value("track");
  if (track_path) {
    if (videos.size() != 1 || is_track(videos[0])) {
      throw InputError("--track writes the motion tracked in exactly one video");
    }
    check_motion_track_name(*track_path);
    OutputFile probe(*track_path, std::span<const std::filesystem::path>(videos));
  }
  if (auto p = args.value("json")) json_out.emplace(*p, std::span<const std::filesystem::path>(videos));
  if (auto p = args.value("html")) html_out.emplace(*p, std::span<const std::filesystem::path>(videos));
  const bool quiet = args.has("quiet");
  critic::CriticParams params;
  params.models_dir = args.value_or("models", "");
  params.threads = static_cast<int>(args.integer("threads", 1, 1, 64));
  critic::Critic critic(params);

  std::vector<critic::ScoreReport> reports;
  for (const auto& video : videos) {
    if (is_track(video)) {  // LS and MN on the track itself, no pixels
      MotionTrack track = read_motion_track(video);
      audio::Features features = audio::compute_features(audio::decode_audio(analysis.audio));
      reports.push_back(critic.score_motion(track, features, video.filename().string()));
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    Progress progress("score " + video.filename().string(), 1000, !quiet);
    analysis.progress = [&](double done) { progress.update(static_cast<std::int64_t>(done * 1000)); };
    critic::VideoAnalysis a = critic::analyze_video(video, analysis);
    reports.push_back(critic.score(a, video.filename().string()));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char summary[200];
    std::snprintf(summary, sizeof summary, "scored %.1f s of video in %.1f s (%.1fx real time)",
                  a.video_seconds, seconds, a.video_seconds / std::max(seconds, 1e-9));
    progress.finish(quiet ? "" : summary);
  }
  std::fputs(critic::report_to_text(reports).c_str(), stdout);
  if (track_path) write_motion_track(reports[0].motion, *track_path, videos);
  if (json_out) {
    write_text_file(json_out->temp_path(), critic::report_to_json(reports));
    json_out->commit();
  }
  if (html_out) {
    write_text_file(html_out->temp_path(), critic::report_to_html(reports));
    html_out->commit();
  }
  return 0;
}

}  // namespace

const Command& score_command() {
  static const Command command{
      {.name = "score",
       .positionals = "VIDEO... | TRACK.json --audio FILE",
       .summary = std::string(torch_command_summary("score")),
       .details =
           "Any video FFmpeg reads (MP4, MKV, WebM, MOV, AVI), Parla's or anybody else's. The face\n"
           "is tracked with dlib (68 landmarks a frame), turned into a MotionTrack estimate and\n"
           "scored by the three Talking-Critic heads (data/models/critic): LS (SyncNet-style\n"
           "offset search over +-15 frames: offset, LSE-C confidence, LSE-D distance), MN\n"
           "(natural vs perturbed motion, with blink rate, head energy and jerk, stillness in\n"
           "silence) and VQ (face and mouth crops, flicker). Scores are 0..100 (docs/critic.md).\n"
           "One video prints a summary; several print a ranking table. A MotionTrack (.json or\n"
           ".csv, as 'parla motion' writes) with --audio is scored on LS and MN without pixels;\n"
           "--track writes the one scored in a video, at 25 fps.",
       .options = {{"audio", 0, "FILE", "score against this audio instead of the video's own track"},
                   {"json", 0, "FILE", "write every figure as JSON (schema in docs/critic.md)"},
                   {"html", 0, "FILE", "write a self-contained HTML report with plots"},
                   {"track", 0, "FILE", "write the 20-channel MotionTrack tracked in the video (.json or .csv)"},
                   {"models", 0, "DIR", "critic weights (default: data/models/critic)"},
                   {"threads", 0, "N", "torch threads (default 1)"},
                   {"quiet", 'q', "", "no progress on stderr"}},
       .min_positionals = 1,
       .max_positionals = 64},
      run_score};
  return command;
}

}  // namespace parla::cli
