// Display: the main-thread half of the player shared by play and live.
#include "player/display.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "audio/audio.h"
#include "video/video.h"

namespace parla::player {

namespace {

// The CPU renderer's framing for this scene (and its rest-pose picture).
RigFraming scene_framing(const Scene& scene, Image* rest_picture) {
  video::RenderParams params = scene.render;
  params.threads = 1;
  video::Renderer renderer(scene.rig, params);
  if (rest_picture) *rest_picture = renderer.render(neutral_frame());
  return framing_of(renderer);
}

}  // namespace

Display::Display(const Scene& scene, const WindowParams& params)
    : vmc_(params.vmc_address.empty() ? nullptr : std::make_unique<VmcSender>(params.vmc_address)),
      framing_(scene_framing(scene, nullptr)),
      window_(framing_.width, framing_.height, params.title),
      hud_on_(params.show_hud),
      screenshot_dir_(params.screenshot_dir) {
  int fps_cap = params.max_fps;
  if (fps_cap == 0) fps_cap = window_.refresh_rate() > 0 ? window_.refresh_rate() : 60;
  frame_interval_ns_ = fps_cap > 0 ? 1'000'000'000LL / fps_cap : 0;
  if (scene.backend == Backend::Gl) {
    gl_rig_ = std::make_unique<GlRigView>(scene.rig, framing_);
    MotionFrame rest = neutral_frame();
    gl_rig_->draw(scene.rig.posed_vertices(rest), rest);
    view_.show_texture(gl_rig_->texture(), gl_rig_->width(), gl_rig_->height());
  } else {
    Image rest;
    scene_framing(scene, &rest);
    view_.upload(rest);
  }
}

void Display::fill_exit_stats(PlayStats& stats) const {
  stats.frame_index_end = current_ ? current_->index : -1;
  stats.fullscreen = window_.fullscreen();
  stats.framebuffer_width = window_.framebuffer_width();
  stats.framebuffer_height = window_.framebuffer_height();
  if (vmc_) {
    stats.vmc_sent = vmc_->sent();
    stats.vmc_failed = vmc_->failed();
  }
}

void Display::show(VideoFrame frame) {
  if (vmc_) vmc_->send(frame.motion, frame.seconds);
  if (gl_rig_ && !frame.posed_px.empty()) {
    gl_rig_->draw(frame.posed_px, frame.motion);
    view_.show_texture(gl_rig_->texture(), gl_rig_->width(), gl_rig_->height());
    frame.posed_px = {};  // drawn; not needed any more
  } else if (!frame.picture.empty()) {
    view_.upload(frame.picture);
    frame.picture = Image();
  }
  current_ = std::move(frame);
}

void Display::draw(const std::vector<std::string>& hud_lines) {
  last_hud_ = hud_lines;
  last_fb_width_ = window_.framebuffer_width();
  last_fb_height_ = window_.framebuffer_height();
  last_rect_ = draw_into(last_fb_width_, last_fb_height_);
}

gl::Rect Display::draw_into(int fb_w, int fb_h) {
  gl::Rect rect = view_.draw(fb_w, fb_h);
  if (hud_on_ && !last_hud_.empty()) {
    // 2 px glyph pixels (x the HiDPI scale), smaller when the lines would not fit.
    size_t longest = 1;
    for (const auto& line : last_hud_) longest = std::max(longest, line.size());
    int fit = fb_w / static_cast<int>(4 * longest + 4);
    int pixel =
        std::clamp(fit, 1, std::max(2, static_cast<int>(std::lround(2 * window_.content_scale()))));
    hud_.draw(last_hud_, fb_w, fb_h, pixel);
  }
  return rect;
}

void Display::draw_progress(double fraction) {
  int fb_w = window_.framebuffer_width(), fb_h = window_.framebuffer_height();
  float bar_h = std::max(3.f, std::round(4.f * window_.content_scale()));
  float bottom = static_cast<float>(fb_h - last_rect_.y);  // GL rows count from the bottom
  hud_.draw_bar(static_cast<float>(last_rect_.x), bottom - bar_h,
                static_cast<float>(last_rect_.x + last_rect_.width), bottom,
                static_cast<float>(fraction), fb_w, fb_h);
}

void Display::save_screenshot(const std::filesystem::path& path) {
  if (last_fb_width_ <= 0 || last_fb_height_ <= 0) {
    throw Error("screenshot " + path.string() + ": nothing has been drawn yet");
  }
  gl::Texture target = gl::make_texture();
  glBindTexture(GL_TEXTURE_2D, target.get());
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, last_fb_width_, last_fb_height_, 0, GL_RGBA,
               GL_UNSIGNED_BYTE, nullptr);
  gl::Framebuffer offscreen = gl::make_framebuffer();
  glBindFramebuffer(GL_FRAMEBUFFER, offscreen.get());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target.get(), 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    throw Error("screenshot " + path.string() + ": the offscreen target is incomplete");
  }
  gl::Rect rect = draw_into(last_fb_width_, last_fb_height_);
  // Read it as drawn, whatever other code set: tightly packed rows, no pixel-pack buffer.
  glReadBuffer(GL_COLOR_ATTACHMENT0);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
  glPixelStorei(GL_PACK_ROW_LENGTH, 0);
  glPixelStorei(GL_PACK_SKIP_ROWS, 0);
  glPixelStorei(GL_PACK_SKIP_PIXELS, 0);
  Image image = read_pixels(rect);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glReadBuffer(GL_BACK);
  OutputFile out(path);
  video::save_png(image, out.temp_path());
  out.commit();
}

std::filesystem::path Display::next_screenshot_path() {
  for (;;) {
    auto path = screenshot_dir_ / ("parla-" + std::to_string(++screenshot_count_) + ".png");
    if (!std::filesystem::exists(path)) return path;
  }
}

void Display::swap() {
  window_.swap();
  std::int64_t now = audio::steady_now_ns();
  if (swaps_++ == 0) first_swap_ns_ = now;
  last_swap_ns_ = now;
  if (fps_window_start_ns_ == 0) fps_window_start_ns_ = now;
  ++fps_window_redraws_;
  if (now - fps_window_start_ns_ >= 1'000'000'000LL) {
    recent_fps_ = fps_window_redraws_ * 1e9 / static_cast<double>(now - fps_window_start_ns_);
    fps_window_start_ns_ = now;
    fps_window_redraws_ = 0;
  }
}

double Display::mean_fps() const {
  if (swaps_ < 2 || last_swap_ns_ <= first_swap_ns_) return 0;
  return static_cast<double>(swaps_ - 1) * 1e9 /
         static_cast<double>(last_swap_ns_ - first_swap_ns_);
}

void Display::pace() {
  if (frame_interval_ns_ == 0) return;
  std::int64_t now = audio::steady_now_ns();
  if (next_deadline_ns_ == 0 || now - next_deadline_ns_ > frame_interval_ns_)
    next_deadline_ns_ = now;
  next_deadline_ns_ += frame_interval_ns_;
  if (next_deadline_ns_ > now) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(next_deadline_ns_ - now));
  }
}

std::vector<std::string> motion_lines(const MotionFrame& m) {
  char mouth[96], head[96];
  std::snprintf(mouth, sizeof mouth, "JAW %.2f CLOSE %.2f FUNNEL %.2f SMILE %.2f",
                m[index(Channel::JawOpen)], m[index(Channel::MouthClose)],
                m[index(Channel::MouthFunnel)], m[index(Channel::MouthSmile)]);
  std::snprintf(head, sizeof head, "BLINK %.2f/%.2f YAW %+.2f PITCH %+.2f ROLL %+.2f",
                m[index(Channel::EyeBlinkLeft)], m[index(Channel::EyeBlinkRight)],
                m[index(Channel::HeadYaw)], m[index(Channel::HeadPitch)],
                m[index(Channel::HeadRoll)]);
  return {mouth, head};
}

}  // namespace parla::player
