// Checkpoint progress shared by the trainers (base, critic, DPO).
#include <filesystem>

#include "train/critic_data.h"

namespace parla::train {

CheckpointProgress read_progress(torch::serialize::InputArchive& archive) {
  torch::Tensor state;
  archive.read("step", state);
  return {static_cast<int>(state[0].item<double>()), state[1].item<double>()};
}

void save_checkpoint(torch::serialize::OutputArchive& archive, CheckpointProgress progress,
                     const std::filesystem::path& path) {
  archive.write("step", torch::tensor({static_cast<double>(progress.step), progress.seconds}, torch::kFloat64));
  archive.save_to(path.string() + ".tmp");
  std::filesystem::rename(path.string() + ".tmp", path);
}

}  // namespace parla::train
