#include "tests/player/support/pulse_server.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace parla::testing {

bool have_command(const std::string& name) {
  return run_command("command -v " + shell_quote(name) + " >/dev/null").exit_code == 0;
}

PulseServer::PulseServer() {
  if (!have_command("pulseaudio") || !have_command("pactl")) {
    throw std::runtime_error("pulseaudio / pactl not installed (scripts/setup.sh installs them)");
  }
  std::filesystem::create_directories(dir_ / "home");
  std::filesystem::create_directories(dir_ / "run");
  std::filesystem::permissions(dir_ / "run", std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  std::ofstream(dir_ / "home" / ".asoundrc")
      << "pcm.!default { type pulse }\nctl.!default { type pulse }\n";
  auto started = run_command(env() +
                             "pulseaudio --daemonize=yes --exit-idle-time=-1 -n --disallow-exit"
                             " --load='module-null-sink sink_name=speakers'"
                             " --load='module-null-sink sink_name=mic'"
                             " --load=module-native-protocol-unix --log-target=file:" +
                             shell_quote((dir_ / "pulse.log").string()));
  if (started.exit_code != 0)
    throw std::runtime_error("pulseaudio did not start: " + started.output);
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (run_command(env() + "pactl info >/dev/null").exit_code == 0) {
      run_command(env() + "pactl set-default-sink speakers");
      run_command(env() + "pactl set-default-source mic.monitor");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("pulseaudio started but does not answer pactl");
}

PulseServer::~PulseServer() { run_command(env() + "pulseaudio --kill"); }

void PulseServer::use_in_this_process() const {
  ::setenv("HOME", (dir_ / "home").c_str(), 1);
  ::setenv("XDG_RUNTIME_DIR", (dir_ / "run").c_str(), 1);
}

void PulseServer::freeze(bool frozen) const {
  auto r = run_command(std::string("kill -") + (frozen ? "STOP" : "CONT") + " $(cat " +
                       shell_quote((dir_ / "run" / "pulse" / "pid").string()) + ")");
  if (r.exit_code != 0) throw std::runtime_error("cannot signal pulseaudio: " + r.output);
}

std::string PulseServer::env() const {
  return "env HOME=" + shell_quote((dir_ / "home").string()) +
         " XDG_RUNTIME_DIR=" + shell_quote((dir_ / "run").string()) + " ";
}

}  // namespace parla::testing
