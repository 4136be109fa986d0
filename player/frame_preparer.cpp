#include "player/frame_preparer.h"

namespace parla::player {

FramePreparer::FramePreparer(const Scene& scene) : scene_(scene) {
  if (scene.backend == Backend::Cpu) {
    video::RenderParams params = scene.render;
    params.threads = 1;  // the other core draws and plays
    renderer_ = std::make_unique<video::Renderer>(scene.rig, params);
  }
}

void FramePreparer::prepare(VideoFrame& frame) {
  if (renderer_) {
    frame.picture = renderer_->render(frame.motion);
  } else {
    frame.posed_px = scene_.rig.posed_vertices(frame.motion);
  }
}

}  // namespace parla::player
