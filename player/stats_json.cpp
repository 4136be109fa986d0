// PlayStats as JSON for `--stats FILE.json` and the tests.
#include <nlohmann/json.hpp>

#include "player/player.h"

namespace parla::player {

std::string stats_to_json(const PlayStats& s) {
  nlohmann::json j = {
      {"wall_seconds", s.wall_seconds},
      {"redraws", s.redraws},
      {"fps", s.fps},
      {"frames_shown", s.frames_shown},
      {"frames_dropped", s.frames_dropped},
      {"frames_late", s.frames_late},
      {"av_offset_mean_s", s.av_offset_mean},
      {"av_offset_min_s", s.av_offset_min},
      {"av_offset_max_s", s.av_offset_max},
      {"av_offset_abs_p99_s", s.av_offset_abs_p99},
      {"clock_advance_s", s.clock_advance_seconds},
      {"clock_wall_s", s.clock_wall_seconds},
      {"output_delay_s", s.output_delay_seconds},
      {"audio_callbacks", s.audio_callbacks},
      {"audio_underruns", s.audio_underruns},
      {"audio_lost", s.audio_lost},
      {"latency_samples", s.latency_samples},
      {"latency_mean_s", s.latency_mean},
      {"latency_p95_s", s.latency_p95},
      {"latency_max_s", s.latency_max},
      {"lookahead_s", s.lookahead_seconds},
      {"capture_dropped_samples", s.capture_dropped_samples},
      {"capture_callbacks", s.capture_callbacks},
      {"capture_overflows", s.capture_overflows},
      {"capture_stalls", s.capture_stalls},
      {"capture_gap_max_s", s.capture_gap_max_seconds},
      {"jaw_open_max", s.jaw_open_max},
      {"generator", s.generator},
      {"clock", s.clock},
      {"pauses", s.pauses},
      {"seeks", s.seeks},
      {"screenshots", s.screenshots},
      {"clock_end_s", s.clock_end_seconds},
      {"frame_steps", s.frame_steps},
      {"loops", s.loops},
      {"frame_index_end", s.frame_index_end},
      {"speed", s.speed},
      {"muted", s.muted},
      {"looping", s.looping},
      {"fullscreen", s.fullscreen},
      {"framebuffer_width", s.framebuffer_width},
      {"framebuffer_height", s.framebuffer_height},
      {"frames_recorded", s.frames_recorded},
      {"vmc_sent", s.vmc_sent},
      {"vmc_failed", s.vmc_failed},
      {"hud_lines", s.hud_lines},
  };
  return j.dump(2) + "\n";
}

}  // namespace parla::player
