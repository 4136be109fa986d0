// Test helpers for the VMC output: a UDP receiver on localhost and an OSC 1.0 parser
// written from the spec, independent of core/vmc.cpp, so a test checks the real bytes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace parla::testing {

struct OscMessage {
  std::string address;
  std::string tags;  // without the leading ','
  std::vector<std::variant<std::int32_t, float, std::string>> args;
  float f(size_t i) const { return std::get<float>(args.at(i)); }
  const std::string& s(size_t i) const { return std::get<std::string>(args.at(i)); }
};

class OscReader {
 public:
  OscReader(const std::uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  std::string string() {
    const std::uint8_t* nul = static_cast<const std::uint8_t*>(std::memchr(p_, 0, end_ - p_));
    if (!nul) throw std::runtime_error("OSC string without NUL");
    std::string s(reinterpret_cast<const char*>(p_), nul - p_);
    size_t padded = ((s.size() + 1) + 3) / 4 * 4;
    advance(padded);
    return s;
  }
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = (std::uint32_t(p_[0]) << 24) | (std::uint32_t(p_[1]) << 16) |
                      (std::uint32_t(p_[2]) << 8) | std::uint32_t(p_[3]);
    p_ += 4;
    return v;
  }
  float f32() {
    std::uint32_t bits = u32();
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  bool done() const { return p_ == end_; }
  const std::uint8_t* here() const { return p_; }
  void advance(size_t n) {
    need(n);
    p_ += n;
  }

 private:
  void need(size_t n) const {
    if (static_cast<size_t>(end_ - p_) < n) throw std::runtime_error("OSC packet truncated");
  }
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

inline OscMessage parse_osc_message(const std::uint8_t* data, size_t size) {
  OscReader r(data, size);
  OscMessage m;
  m.address = r.string();
  std::string tags = r.string();
  if (tags.empty() || tags[0] != ',') throw std::runtime_error("OSC type tags must start with ','");
  m.tags = tags.substr(1);
  for (char t : m.tags) {
    if (t == 'i') m.args.emplace_back(static_cast<std::int32_t>(r.u32()));
    else if (t == 'f') m.args.emplace_back(r.f32());
    else if (t == 's') m.args.emplace_back(r.string());
    else throw std::runtime_error(std::string("unexpected OSC type tag ") + t);
  }
  if (!r.done()) throw std::runtime_error("OSC message has trailing bytes");
  return m;
}

// A packet: one message, or a "#bundle" of size-prefixed elements (nested bundles flattened).
inline std::vector<OscMessage> parse_osc_packet(const std::uint8_t* data, size_t size) {
  if (size >= 8 && std::memcmp(data, "#bundle", 8) == 0) {
    OscReader r(data, size);
    r.string();
    r.u32();
    r.u32();  // time tag
    std::vector<OscMessage> out;
    while (!r.done()) {
      std::uint32_t n = r.u32();
      auto inner = parse_osc_packet(r.here(), n);
      out.insert(out.end(), inner.begin(), inner.end());
      r.advance(n);
    }
    return out;
  }
  return {parse_osc_message(data, size)};
}

// A UDP socket bound to 127.0.0.1 on a free port.
class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~UdpReceiver() { ::close(fd_); }
  int port() const { return port_; }
  // The next datagram, or empty after `timeout_ms` without one.
  std::vector<std::uint8_t> receive(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return {};
    std::vector<std::uint8_t> buf(65536);
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? n : 0);
    return buf;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace parla::testing
