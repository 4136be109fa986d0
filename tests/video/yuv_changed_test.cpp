// RgbToYuv420::convert_changed: converting only the rectangle the renderer changed gives
// the same bytes as converting the whole picture — on a real 1920x1080 --full render of
// the sample portrait, frame after frame of real motion.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "tests/video/rig_fixtures.h"
#include "video/ffmpeg_util.h"
#include "video/video.h"

namespace parla {
namespace {

// The sample portrait on a 1920x1080 grey canvas, with its landmarks moved along.
video::Rig canvas_rig() {
  Image portrait = video::load_image(testing::sample_portrait_path());
  video::FaceFit fit =
      video::read_landmarks_file(testing::sample_landmarks_path(), portrait.width, portrait.height);
  Image canvas(1920, 1080);
  std::fill(canvas.rgb.begin(), canvas.rgb.end(), 120);
  const int ox = 700, oy = 60;
  for (int y = 0; y < portrait.height && y + oy < canvas.height; ++y) {
    for (int x = 0; x < portrait.width && x + ox < canvas.width; ++x) {
      std::copy_n(portrait.pixel(x, y), 3, canvas.pixel(x + ox, y + oy));
    }
  }
  for (auto& p : fit.landmarks) p = {p.x + ox, p.y + oy};
  return video::Rig(std::move(canvas), fit);
}

bool same_planes(const AVFrame* a, const AVFrame* b) {
  for (int plane = 0; plane < 3; ++plane) {
    int w = plane == 0 ? a->width : (a->width + 1) / 2;
    int h = plane == 0 ? a->height : (a->height + 1) / 2;
    for (int y = 0; y < h; ++y) {
      if (std::memcmp(a->data[plane] + y * a->linesize[plane], b->data[plane] + y * b->linesize[plane], w) != 0) {
        ADD_FAILURE() << "plane " << plane << " row " << y << " differs";
        return false;
      }
    }
  }
  return true;
}

video::ff::FramePtr yuv_frame(int w, int h) {
  video::ff::FramePtr f = video::ff::make_frame();
  f->format = AV_PIX_FMT_YUV420P;
  f->width = w;
  f->height = h;
  av_frame_get_buffer(f.get(), 0);
  return f;
}

TEST(YuvChanged, SameBytesAsWholeConversionOnARealFullRender) {
  video::Renderer renderer(canvas_rig(), {.framing = video::Framing::Full});
  const int w = renderer.width(), h = renderer.height();
  ASSERT_EQ(w, 1920);
  video::ff::RgbToYuv420 whole(w, h), partial(w, h);
  auto expected = yuv_frame(w, h), actual = yuv_frame(w, h);
  std::array<int, 4> previous{0, 0, w, h};
  double changed_share = 0;
  const int frames = 40;
  for (int i = 0; i < frames; ++i) {
    MotionFrame m = neutral_frame();
    m[index(Channel::JawOpen)] = 0.5f + 0.45f * static_cast<float>(std::sin(i * 0.7));
    m[index(Channel::MouthSmile)] = 0.3f * static_cast<float>(i % 3);
    m[index(Channel::HeadYaw)] = 0.15f * static_cast<float>(std::sin(i * 0.3));
    m[index(Channel::HeadPitch)] = 0.1f * static_cast<float>(std::cos(i * 0.2));
    m[index(Channel::EyeBlinkLeft)] = m[index(Channel::EyeBlinkRight)] = i % 10 == 5 ? 1.f : 0.f;
    const Image& picture = renderer.render(m);
    std::array<int, 4> now = renderer.last_dirty_rect();
    std::array<int, 4> changed = {std::min(previous[0], now[0]), std::min(previous[1], now[1]),
                                  std::max(previous[2], now[2]), std::max(previous[3], now[3])};
    if (i > 0) changed_share += double(changed[2] - changed[0]) * (changed[3] - changed[1]) / (w * h);
    previous = now;
    whole.convert(picture, expected.get());
    partial.convert_changed(picture, actual.get(), changed);
    SCOPED_TRACE("frame " + std::to_string(i));
    ASSERT_TRUE(same_planes(expected.get(), actual.get()));
  }
  // The partial path really ran: the face is a small part of the picture.
  EXPECT_LT(changed_share / (frames - 1), 0.3);
}

}  // namespace
}  // namespace parla
