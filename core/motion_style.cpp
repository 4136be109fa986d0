// MotionStyle: user gains on a generated track's amplitudes. The rest pose of every
// scaled channel is 0 (neutral_frame), so a gain scales the motion, not the face.
#include <algorithm>

#include "core/core.h"

namespace parla {

void apply_motion_style(MotionFrame& frame, const MotionStyle& style) {
  if (style.is_identity()) return;
  auto scale = [&frame](Channel c, float gain) {
    const ChannelInfo& info = channel_info(c);
    frame[index(c)] = std::clamp(frame[index(c)] * gain, info.min, info.max);
  };
  for (Channel c : {Channel::JawOpen, Channel::MouthFunnel, Channel::MouthStretch}) {
    scale(c, style.jaw_gain);
  }
  // Lips sealed over an open jaw stay sealed: mouthClose is not a size, it is not scaled.
  for (Channel c : {Channel::HeadYaw, Channel::HeadPitch, Channel::HeadRoll, Channel::HeadX,
                    Channel::HeadY, Channel::HeadScale}) {
    scale(c, style.head_motion);
  }
  for (Channel c : {Channel::BrowInnerUp, Channel::BrowDown, Channel::MouthSmile}) {
    scale(c, style.expression);
  }
}

}  // namespace parla
