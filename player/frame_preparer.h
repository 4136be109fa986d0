// Private to player: the worker-side half of drawing — poses the mesh (Backend::Gl) or
// renders the whole picture on the CPU (Backend::Cpu). Worker thread only.
#pragma once

#include <memory>

#include "player/player.h"

namespace parla::player {

class FramePreparer {
 public:
  explicit FramePreparer(const Scene& scene);
  // Fills frame.posed_px or frame.picture from frame.motion.
  void prepare(VideoFrame& frame);

 private:
  const Scene& scene_;
  std::unique_ptr<video::Renderer> renderer_;  // Backend::Cpu only
};

}  // namespace parla::player
