// Window: GLFW set-up with clear messages for headless machines, key mapping, HiDPI.
#include "player/window.h"

#include <cstdlib>

#include "core/core.h"

namespace parla::player {
namespace {

std::string last_glfw_error() {
  const char* description = nullptr;
  glfwGetError(&description);
  return description ? description : "unknown GLFW error";
}

const char* kHeadlessHint =
    ": run it under a virtual display (`xvfb-run -a parla ...`) or render offline with "
    "`parla render PORTRAIT AUDIO -o OUT.mp4`";

}  // namespace

struct Window::State {
  GLFWwindow* window = nullptr;
  std::vector<Key> keys;  // filled by the key callback during glfwPollEvents
  int windowed_x = 0, windowed_y = 0, windowed_width = 0, windowed_height = 0;  // before f
};

namespace {

void on_key(GLFWwindow* window, int key, int, int action, int) {
  if (action != GLFW_PRESS && action != GLFW_REPEAT) return;
  auto* state = static_cast<Window::State*>(glfwGetWindowUserPointer(window));
  bool repeatable = key == GLFW_KEY_LEFT || key == GLFW_KEY_RIGHT || key == GLFW_KEY_COMMA ||
                    key == GLFW_KEY_PERIOD || key == GLFW_KEY_LEFT_BRACKET ||
                    key == GLFW_KEY_RIGHT_BRACKET;
  if (action == GLFW_REPEAT && !repeatable) return;
  switch (key) {
    case GLFW_KEY_SPACE:
      state->keys.push_back(Key::Pause);
      break;
    case GLFW_KEY_LEFT:
      state->keys.push_back(Key::SeekBack);
      break;
    case GLFW_KEY_RIGHT:
      state->keys.push_back(Key::SeekForward);
      break;
    case GLFW_KEY_COMMA:
      state->keys.push_back(Key::StepBack);
      break;
    case GLFW_KEY_PERIOD:
      state->keys.push_back(Key::StepForward);
      break;
    case GLFW_KEY_LEFT_BRACKET:
      state->keys.push_back(Key::SpeedDown);
      break;
    case GLFW_KEY_RIGHT_BRACKET:
      state->keys.push_back(Key::SpeedUp);
      break;
    case GLFW_KEY_BACKSPACE:
      state->keys.push_back(Key::SpeedReset);
      break;
    case GLFW_KEY_M:
      state->keys.push_back(Key::Mute);
      break;
    case GLFW_KEY_L:
      state->keys.push_back(Key::Loop);
      break;
    case GLFW_KEY_F:
      state->keys.push_back(Key::Fullscreen);
      break;
    case GLFW_KEY_H:
      state->keys.push_back(Key::ToggleHud);
      break;
    case GLFW_KEY_S:
      state->keys.push_back(Key::Screenshot);
      break;
    case GLFW_KEY_ESCAPE:
    case GLFW_KEY_Q:
      state->keys.push_back(Key::Quit);
      break;
    default:
      break;
  }
}

}  // namespace

Window::Window(int width, int height, const std::string& title)
    : state_(std::make_unique<State>()) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland)) {
    throw Error(std::string("no display to open a window on (DISPLAY is not set)") + kHeadlessHint);
  }
  if (!glfwInit()) {
    throw Error("cannot open the display '" + std::string(display ? display : wayland) + "' (" +
                last_glfw_error() + ")" + kHeadlessHint);
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // HiDPI: window units follow the scale
  state_->window = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!state_->window) {
    std::string why = last_glfw_error();
    glfwTerminate();
    throw Error("cannot create an OpenGL 3.3 core window (" + why + ")" + kHeadlessHint);
  }
  glfwSetWindowUserPointer(state_->window, state_.get());
  glfwSetKeyCallback(state_->window, on_key);
  glfwMakeContextCurrent(state_->window);
  glfwSwapInterval(0);  // the player paces itself (Xvfb has no vsync)
  glfwSetWindowAspectRatio(state_->window, width, height);
}

Window::~Window() {
  if (state_->window) glfwDestroyWindow(state_->window);
  glfwTerminate();
}

std::vector<Key> Window::poll() {
  glfwPollEvents();
  std::vector<Key> keys;
  keys.swap(state_->keys);
  return keys;
}

bool Window::should_close() const { return glfwWindowShouldClose(state_->window); }
void Window::close() { glfwSetWindowShouldClose(state_->window, GLFW_TRUE); }
void Window::swap() { glfwSwapBuffers(state_->window); }

bool Window::fullscreen() const { return glfwGetWindowMonitor(state_->window) != nullptr; }

void Window::toggle_fullscreen() {
  State& s = *state_;
  if (fullscreen()) {
    glfwSetWindowMonitor(s.window, nullptr, s.windowed_x, s.windowed_y, s.windowed_width,
                         s.windowed_height, GLFW_DONT_CARE);
    return;
  }
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
  if (!mode) return;  // no monitor to fill: stay windowed
  glfwGetWindowPos(s.window, &s.windowed_x, &s.windowed_y);
  glfwGetWindowSize(s.window, &s.windowed_width, &s.windowed_height);
  glfwSetWindowMonitor(s.window, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
}

int Window::framebuffer_width() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(state_->window, &w, &h);
  return w;
}

int Window::framebuffer_height() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(state_->window, &w, &h);
  return h;
}

float Window::content_scale() const {
  float x = 1.f, y = 1.f;
  glfwGetWindowContentScale(state_->window, &x, &y);
  return x > 0 ? x : 1.f;
}

int Window::refresh_rate() const {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
  return mode ? mode->refreshRate : 0;
}

std::string Window::renderer_name() const {
  const auto* name = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  return name ? name : "";
}

}  // namespace parla::player
