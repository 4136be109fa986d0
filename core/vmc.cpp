// VMC protocol output: a MotionFrame as one OSC 1.0 bundle over UDP (protocol.vmc.info).
// OSC: every field is padded to 4 bytes, numbers are big-endian, strings end in NUL.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "core/core.h"

namespace parla {
namespace {

// Appends OSC messages to a growing buffer.
class OscWriter {
 public:
  explicit OscWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  // One message: address, type tags ("sf" = a string then a float), then the arguments.
  void message(std::string_view address, std::string_view tags,
               std::initializer_list<std::string_view> strings,
               std::initializer_list<float> floats, std::initializer_list<std::int32_t> ints = {}) {
    size_t size_at = out_.size();
    put_int(0);  // the element's size, filled in below (bundle elements are size-prefixed)
    put_string(address);
    put_string("," + std::string(tags));
    auto s = strings.begin();
    auto f = floats.begin();
    auto i = ints.begin();
    for (char tag : tags) {
      if (tag == 's') put_string(*s++);
      if (tag == 'f') put_float(*f++);
      if (tag == 'i') put_int(*i++);
    }
    auto size = static_cast<std::uint32_t>(out_.size() - size_at - 4);
    write_be32(size_at, size);
  }

  void put_string(std::string_view s) {
    out_.insert(out_.end(), s.begin(), s.end());
    out_.push_back(0);
    while (out_.size() % 4 != 0) out_.push_back(0);
  }
  void put_int(std::int32_t v) {
    out_.resize(out_.size() + 4);
    write_be32(out_.size() - 4, static_cast<std::uint32_t>(v));
  }
  void put_float(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    out_.resize(out_.size() + 4);
    write_be32(out_.size() - 4, bits);
  }

 private:
  void write_be32(size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) out_[at + k] = static_cast<std::uint8_t>(v >> (24 - 8 * k));
  }
  std::vector<std::uint8_t>& out_;
};

float clamp01(float v) { return std::clamp(v, 0.f, 1.f); }

// Unity's Quaternion.Euler(pitch, yaw, roll): roll about Z, then pitch about X, then
// yaw about Y. Returns x, y, z, w.
std::array<float, 4> unity_quaternion(float pitch, float yaw, float roll) {
  float cx = std::cos(pitch / 2), sx = std::sin(pitch / 2);
  float cy = std::cos(yaw / 2), sy = std::sin(yaw / 2);
  float cz = std::cos(roll / 2), sz = std::sin(roll / 2);
  return {cy * sx * cz + sy * cx * sz, sy * cx * cz - cy * sx * sz, cy * cx * sz - sy * sx * cz,
          cy * cx * cz + sy * sx * sz};
}

}  // namespace

std::vector<std::uint8_t> vmc_bundle(const MotionFrame& frame, double seconds) {
  std::vector<std::uint8_t> out;
  out.reserve(4096);
  OscWriter osc(out);
  osc.put_string("#bundle");
  osc.put_int(0);  // time tag 1 = "immediately" (64 bits: 0, 1)
  osc.put_int(1);
  osc.message("/VMC/Ext/OK", "i", {}, {}, {1});
  osc.message("/VMC/Ext/T", "f", {}, {static_cast<float>(seconds)});
  auto ch = [&frame](Channel c) { return frame[index(c)]; };
  // headPitch + = nod down, as +X in Unity's left-handed axes; yaw about +Y, roll about +Z.
  auto q = unity_quaternion(ch(Channel::HeadPitch), ch(Channel::HeadYaw), ch(Channel::HeadRoll));
  osc.message("/VMC/Ext/Bone/Pos", "sfffffff", {"Head"}, {0.f, 0.f, 0.f, q[0], q[1], q[2], q[3]});
  for (const ArkitValue& v : arkit_blendshapes(frame)) {
    std::string name(v.name);
    name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    osc.message("/VMC/Ext/Blend/Val", "sf", {name}, {v.value});
  }
  // VRM 0.x presets for avatars without ARKit shapes: vowels from the mouth channels
  // (a sealed mouth shows none), blinks split into both-eyes and the single-eye rest.
  float open = 1.f - ch(Channel::MouthClose);
  float jaw = ch(Channel::JawOpen), round = std::max(ch(Channel::MouthPucker), ch(Channel::MouthFunnel));
  float spread = ch(Channel::MouthStretch);
  float blink = std::min(ch(Channel::EyeBlinkLeft), ch(Channel::EyeBlinkRight));
  const std::pair<const char*, float> presets[] = {
      {"A", clamp01(open * (jaw - 0.5f * round - 0.5f * spread))},
      {"I", clamp01(open * (spread - 0.5f * jaw))},
      {"U", clamp01(open * (ch(Channel::MouthPucker) - 0.5f * jaw))},
      {"E", clamp01(open * std::min(jaw, spread) * 1.5f)},
      {"O", clamp01(open * (ch(Channel::MouthFunnel) + 0.5f * std::min(round, jaw)))},
      {"Blink", blink},
      {"Blink_L", ch(Channel::EyeBlinkLeft) - blink},
      {"Blink_R", ch(Channel::EyeBlinkRight) - blink},
  };
  for (const auto& [name, value] : presets) osc.message("/VMC/Ext/Blend/Val", "sf", {name}, {value});
  osc.message("/VMC/Ext/Blend/Apply", "", {}, {});
  return out;
}

VmcSender::VmcSender(const std::string& host_port) : address_(host_port) {
  auto bad = [&host_port](const std::string& why) {
    return InputError("--vmc '" + host_port + "': " + why + " (expected HOST:PORT, e.g. 127.0.0.1:" +
                      std::to_string(kVmcDefaultPort) + ")");
  };
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon + 1 == host_port.size()) throw bad("no port");
  std::string host = host_port.substr(0, colon), port = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  if (!std::all_of(port.begin(), port.end(), ::isdigit) || std::stol(port) < 1 || std::stol(port) > 65535) {
    throw bad("port must be 1..65535");
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw bad(std::string("cannot resolve host: ") + ::gai_strerror(rc));
  }
  socket_ = ::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (socket_ < 0) {
    ::freeaddrinfo(found);
    throw Error("cannot open a UDP socket for --vmc: " + std::string(std::strerror(errno)));
  }
  auto* peer = reinterpret_cast<const std::uint8_t*>(found->ai_addr);
  peer_.assign(peer, peer + found->ai_addrlen);
  ::freeaddrinfo(found);
}

VmcSender::~VmcSender() {
  if (socket_ >= 0) ::close(socket_);
}

void VmcSender::send(const MotionFrame& frame, double seconds) {
  std::vector<std::uint8_t> bundle = vmc_bundle(frame, seconds);
  ssize_t n = ::sendto(socket_, bundle.data(), bundle.size(), MSG_DONTWAIT,
                       reinterpret_cast<const sockaddr*>(peer_.data()),
                       static_cast<socklen_t>(peer_.size()));
  if (n == static_cast<ssize_t>(bundle.size())) {
    ++sent_;
  } else {
    ++failed_;
  }
}

}  // namespace parla
