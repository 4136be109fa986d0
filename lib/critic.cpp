// libparla_critic: parla/critic.h over critic/ (LibTorch), kept out of libparla.
#include "parla/critic.h"

#include "critic/critic.h"

namespace parla {

Score score_video(const std::filesystem::path& video, const ScoreParams& params) {
  check_input_file(video, "video");
  if (params.threads < 1 || params.threads > 64) {
    throw InputError("parameter threads = " + std::to_string(params.threads) + " is outside 1..64");
  }
  critic::AnalysisParams analysis;
  if (!params.audio.empty()) {
    check_input_file(params.audio, "audio");
    analysis.audio = params.audio;
  }
  critic::Critic critic({.models_dir = params.models_dir, .threads = params.threads});
  critic::VideoAnalysis a = critic::analyze_video(video, analysis);
  critic::ScoreReport report = critic.score(a, video.filename().string());
  Score score;
  score.lip_sync = report.ls.score;
  score.naturalness = report.mn.score;
  score.quality = report.vq ? report.vq->score : 0.f;
  score.av_offset_frames = report.ls.offset_frames;
  score.seconds = report.seconds;
  score.face_coverage = report.face_coverage;
  score.json = critic::report_to_json({&report, 1});
  return score;
}

}  // namespace parla
