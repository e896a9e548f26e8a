#include "sim/json_read.hpp"

#include <charconv>
#include <cstdint>

namespace slotsim {
namespace {

const char* kind_name(JsonValue::Kind k) {
  switch (k) {
    case JsonValue::Kind::Null: return "null";
    case JsonValue::Kind::Bool: return "a boolean";
    case JsonValue::Kind::Number: return "a number";
    case JsonValue::Kind::String: return "a string";
    case JsonValue::Kind::Array: return "an array";
    case JsonValue::Kind::Object: return "an object";
  }
  return "?";
}

[[noreturn]] void wrong_kind(JsonValue::Kind got, const char* want) {
  throw JsonError(std::string("JSON: expected ") + want + ", found " + kind_name(got));
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace

// Recursive descent over the text; one instance per document.
class JsonParser {
 public:
  explicit JsonParser(std::string_view t) : t_(t) {}

  JsonValue document() {
    JsonValue v = value(0);
    skip_ws();
    if (p_ != t_.size()) fail("end of document");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 200;

  [[noreturn]] void fail(const char* expected) const {
    throw JsonError("JSON: expected " + std::string(expected) + " at offset " + std::to_string(p_));
  }
  void skip_ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }
  bool eat(char c) {
    skip_ws();
    if (p_ < t_.size() && t_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  void expect(char c, const char* what) {
    if (!eat(c)) fail(what);
  }
  void literal(std::string_view word) {
    if (t_.substr(p_, word.size()) != word) fail("a value");
    p_ += word.size();
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail("at most 200 levels of nesting");
    skip_ws();
    if (p_ >= t_.size()) fail("a value");
    JsonValue v;
    const char c = t_[p_];
    if (c == '{') {
      ++p_;
      v.kind_ = JsonValue::Kind::Object;
      if (eat('}')) return v;
      do {
        skip_ws();
        if (p_ >= t_.size() || t_[p_] != '"') fail("a string key");
        v.keys_.push_back(string());
        expect(':', "':'");
        v.items_.push_back(value(depth + 1));
      } while (eat(','));
      expect('}', "',' or '}'");
    } else if (c == '[') {
      ++p_;
      v.kind_ = JsonValue::Kind::Array;
      if (eat(']')) return v;
      do v.items_.push_back(value(depth + 1));
      while (eat(','));
      expect(']', "',' or ']'");
    } else if (c == '"') {
      v.kind_ = JsonValue::Kind::String;
      v.string_ = string();
    } else if (c == 't') {
      literal("true");
      v.kind_ = JsonValue::Kind::Bool;
      v.bool_ = true;
    } else if (c == 'f') {
      literal("false");
      v.kind_ = JsonValue::Kind::Bool;
    } else if (c == 'n') {
      literal("null");
    } else {
      v.kind_ = JsonValue::Kind::Number;
      v.number_ = number();
    }
    return v;
  }

  // RFC 8259 number grammar checked by hand, then converted by from_chars
  // (locale-independent, unlike strtod, which a GUI's setlocale could turn
  // into reading "1,5").
  double number() {
    const std::size_t start = p_;
    auto digits = [&] {
      const std::size_t s = p_;
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
      return p_ - s;
    };
    if (p_ < t_.size() && t_[p_] == '-') ++p_;
    if (p_ < t_.size() && t_[p_] == '0') {
      ++p_;
    } else if (digits() == 0) {
      p_ = start;
      fail("a value");
    }
    if (p_ < t_.size() && t_[p_] == '.') {
      ++p_;
      if (digits() == 0) fail("a digit after '.'");
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      ++p_;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (digits() == 0) fail("a digit in the exponent");
    }
    double d = 0;
    const auto r = std::from_chars(t_.data() + start, t_.data() + p_, d);
    if (r.ec != std::errc() || r.ptr != t_.data() + p_) {
      p_ = start;
      fail("a number in range");
    }
    return d;
  }

  std::uint32_t hex4() {
    if (p_ + 4 > t_.size()) fail("4 hex digits");
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = t_[p_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= std::uint32_t(h - '0');
      else if (h >= 'a' && h <= 'f') v |= std::uint32_t(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= std::uint32_t(h - 'A' + 10);
      else fail("a hex digit");
    }
    return v;
  }

  std::string string() {
    ++p_;  // the opening quote, checked by the caller
    std::string out;
    while (true) {
      if (p_ >= t_.size()) fail("a closing '\"'");
      const char c = t_[p_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --p_;
        fail("no raw control character in a string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= t_.size()) fail("an escape");
      const char e = t_[p_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by \u and a low one.
            if (t_.substr(p_, 2) != "\\u") fail("a low surrogate");
            p_ += 2;
            const std::uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("a high surrogate before a low one");
          }
          put_utf8(out, cp);
          break;
        }
        default:
          --p_;
          fail("a valid escape");
      }
    }
  }

  std::string_view t_;
  std::size_t p_ = 0;
};

double JsonValue::number() const {
  if (kind_ != Kind::Number) wrong_kind(kind_, "a number");
  return number_;
}
bool JsonValue::boolean() const {
  if (kind_ != Kind::Bool) wrong_kind(kind_, "a boolean");
  return bool_;
}
const std::string& JsonValue::string() const {
  if (kind_ != Kind::String) wrong_kind(kind_, "a string");
  return string_;
}
const std::vector<JsonValue>& JsonValue::array() const {
  if (kind_ != Kind::Array) wrong_kind(kind_, "an array");
  return items_;
}
const JsonValue* JsonValue::find(std::string_view key) const {
  if (kind_ != Kind::Object) return nullptr;
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return &items_[i];
  return nullptr;
}
const JsonValue& JsonValue::at(std::string_view key) const {
  if (kind_ != Kind::Object) wrong_kind(kind_, "an object");
  const JsonValue* v = find(key);
  if (!v) throw JsonError("JSON: missing key \"" + std::string(key) + "\"");
  return *v;
}

JsonValue parse_json(std::string_view text) { return JsonParser(text).document(); }

}  // namespace slotsim
