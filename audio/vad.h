// Causal voice activity: a frame is speech when it is loud relative to an adaptive
// noise floor and voiced, and stays speech for a hangover after the last such frame,
// so unvoiced consonants and short pauses inside words are kept.
#pragma once

namespace parla::audio {

class VoiceActivity {
 public:
  VoiceActivity(float silence_floor_db, float margin_db, int hangover_frames);
  // Feeds the next frame (in order); returns its decision.
  bool update(float energy_db, bool voiced);

 private:
  float silence_floor_db_;
  float margin_db_;
  int hangover_frames_;
  float noise_floor_db_;   // minimum-statistics estimate of the background level
  int hangover_left_ = 0;  // frames of speech still owed after the last voiced one
};

}  // namespace parla::audio
