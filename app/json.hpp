#pragma once
// A minimal streaming JSON writer for the report files. Hand-written because
// the stack has no JSON library and the reports are flat; numbers are written
// with 17 significant digits so a value read back is the value measured.
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace slotsim::app {

class Json {
 public:
  Json& begin_object() { return open('{'); }
  Json& end_object() { return close('}'); }
  Json& begin_array() { return open('['); }
  Json& end_array() { return close(']'); }
  Json& key(std::string_view k) {
    comma();
    quote(k);
    out_ += ": ";
    after_key_ = true;
    return *this;
  }
  Json& value(double v) {
    comma();
    if (!std::isfinite(v)) {
      out_ += "null";
    } else {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      out_ += buf;
    }
    return *this;
  }
  Json& value(long long v) { return raw(std::to_string(v)); }
  Json& value(unsigned long long v) { return raw(std::to_string(v)); }
  Json& value(long v) { return value(static_cast<long long>(v)); }
  Json& value(unsigned long v) { return value(static_cast<unsigned long long>(v)); }
  Json& value(int v) { return value(static_cast<long long>(v)); }
  Json& value(bool v) { return raw(v ? "true" : "false"); }
  Json& value(std::string_view s) {
    comma();
    quote(s);
    return *this;
  }
  Json& value(const char* s) { return value(std::string_view(s)); }
  template <class T>
  Json& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  const std::string& str() const { return out_; }

 private:
  Json& raw(const std::string& s) {
    comma();
    out_ += s;
    return *this;
  }
  Json& open(char c) {
    comma();
    out_ += c;
    first_ = true;
    return *this;
  }
  Json& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_ && !out_.empty()) out_ += ", ";
    first_ = false;
  }
  void quote(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out_ += buf;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }
  std::string out_;
  bool first_ = true, after_key_ = false;
};

}  // namespace slotsim::app
