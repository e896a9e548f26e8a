#include "sim/message.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace slotsim {

std::string brief(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_len(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3;
  else if (c >= 0xF0 && c <= 0xF4) n = 4;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

std::string one_line(std::string_view msg) {
  constexpr std::size_t kMaxOut = 400;
  std::string out;
  std::size_t i = 0;
  while (i < msg.size() && out.size() < kMaxOut) {
    const auto c = static_cast<unsigned char>(msg[i]);
    if (std::isdigit(c)) {
      // A number: digits, optionally '.' and more digits.
      std::size_t j = i, digits = 0;
      while (j < msg.size() && (std::isdigit(static_cast<unsigned char>(msg[j])) || msg[j] == '.')) {
        digits += msg[j] != '.';
        ++j;
      }
      if (digits > 20) {
        out += brief(std::strtod(std::string(msg.substr(i, j - i)).c_str(), nullptr));
      } else {
        out.append(msg.substr(i, j - i));
      }
      i = j;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (const std::size_t n = utf8_len(msg, i)) {
      out.append(msg.substr(i, n));
      i += n;
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
    ++i;
  }
  if (i < msg.size()) out += "...";
  return out;
}

}  // namespace slotsim
