// The critic as the scorer of --best-of candidates (parla-torch only: LibTorch).
#include "audio/audio.h"
#include "cli/best_of.h"
#include "critic/critic.h"

namespace parla::cli {

void install_critic_scorer() {
  set_candidate_scorer([](const std::filesystem::path& audio_path,
                          std::span<const MotionTrack> candidates) {
    critic::CriticParams params;
    params.threads = 1;
    critic::Critic critic(params);
    const audio::Features features = audio::compute_features(audio::decode_audio(audio_path));
    std::vector<std::pair<float, float>> scores;
    if (candidates.empty()) return scores;
    critic::ClipAudio clip = critic.prepare_audio(features, candidates.front().frame_count());
    for (const MotionTrack& track : candidates) {
      scores.emplace_back(critic.score_ls(track, clip).score, critic.score_mn(track, clip).score);
    }
    return scores;
  });
}

}  // namespace parla::cli
