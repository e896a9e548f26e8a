// Particle CSV reading and writing.
//
// Reader rules (strict, so a typo is reported rather than silently read as
// something else):
//  - the first line is exactly `x,y,z,vx,vy,vz,mass` (a UTF-8 byte-order mark
//    before it is skipped: spreadsheet exports add one);
//  - every later line has exactly 7 comma-separated fields, each of which is
//    entirely a decimal number in std::from_chars syntax: no spaces, no
//    leading '+', no hex; inf and nan are rejected because one non-finite
//    value turns every force into NaN;
//  - mass must be > 0: a zero or negative mass breaks the positivity the
//    tree and mesh solvers rely on (and the energy diagnostics);
//  - a trailing '\r' on any line is ignored (CRLF files); blank lines are
//    allowed only at the end;
//  - at least one particle.
// Errors read "FILE:LINE:COLUMN: what", LINE 1-based, COLUMN the 1-based
// field number (not a character offset: fields are what a user edits, and a
// character offset into a 17-digit number is no more helpful). Errors that
// concern the whole file (cannot open, empty) report 1:1.
#include "sim/io/csv.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

#include "sim/io/output_file.hpp"

namespace slotsim {
namespace {

constexpr std::string_view kHeader = "x,y,z,vx,vy,vz,mass";

[[noreturn]] void fail(const std::string& path, std::size_t line, std::size_t column,
                       const std::string& what) {
  throw CsvError(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
}

// A field shown in a message: quoted, cut short and with control characters
// replaced, so the message stays one readable line whatever the file holds.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    out += ch < 0x20 || ch == 0x7f ? '?' : s[i];
  }
  if (s.size() > kMax) out += "...";
  return out + "'";
}

// Splits on commas into at most `out.size()` fields; returns the total number
// of fields on the line, which may exceed what was stored.
template <std::size_t N>
std::size_t split(std::string_view line, std::array<std::string_view, N>& out) {
  std::size_t count = 0;
  for (;;) {
    const std::size_t comma = line.find(',');
    if (count < N) out[count] = line.substr(0, comma);
    ++count;
    if (comma == std::string_view::npos) return count;
    line.remove_prefix(comma + 1);
  }
}

void check_header(const std::string& path, std::string_view line) {
  if (line == kHeader) return;
  if (line.empty())
    fail(path, 1, 1, "expected header '" + std::string(kHeader) + "', got an empty line");
  std::array<std::string_view, kNumAttrs + 1> got{};
  const std::size_t count = split(line, got);
  for (std::size_t i = 0; i < kNumAttrs; ++i) {
    if (i >= count)
      fail(path, 1, i + 1,
           "expected header '" + std::string(kHeader) + "', missing column '" +
               std::string(kAttrNames[i]) + "'");
    if (got[i] != kAttrNames[i])
      fail(path, 1, i + 1,
           "expected header '" + std::string(kHeader) + "', column " + std::to_string(i + 1) +
               " is " + quoted(got[i]) + " instead of '" + std::string(kAttrNames[i]) + "'");
  }
  fail(path, 1, kNumAttrs + 1,
       "expected header '" + std::string(kHeader) + "', unexpected extra column " +
           quoted(got[kNumAttrs]));
}

ParticleRecord parse_record(const std::string& path, std::size_t line_no, std::string_view line) {
  std::array<std::string_view, kNumAttrs> fields{};
  const std::size_t count = split(line, fields);
  if (count < kNumAttrs)
    fail(path, line_no, count + 1,
         "expected " + std::to_string(kNumAttrs) + " fields, got " + std::to_string(count));
  if (count > kNumAttrs)
    fail(path, line_no, kNumAttrs + 1,
         "expected " + std::to_string(kNumAttrs) + " fields, got " + std::to_string(count));
  ParticleRecord p;
  for (int a = 0; a < kNumAttrs; ++a) {
    const std::string_view f = fields[a];
    const std::size_t col = static_cast<std::size_t>(a) + 1;
    double v = 0;
    const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (ec == std::errc::result_out_of_range)
      fail(path, line_no, col, "number out of range: " + quoted(f));
    if (ec != std::errc{} || end != f.data() + f.size())
      fail(path, line_no, col,
           "expected a number for '" + std::string(kAttrNames[a]) + "', got " + quoted(f));
    if (!std::isfinite(v))
      fail(path, line_no, col,
           "expected a finite number for '" + std::string(kAttrNames[a]) + "', got " + quoted(f));
    if (a == MASS && !(v > 0)) fail(path, line_no, col, "mass must be positive, got " + quoted(f));
    p.set(a, v);
  }
  return p;
}

}  // namespace

namespace {

// Reads lines in blocks with a cap on line length and on total size, so a
// stream without newlines (/dev/zero) or without end (a pipe) is refused
// after a bounded read instead of growing one std::string until memory runs
// out. Rejected: std::getline, which has no length limit.
class LineReader {
 public:
  LineReader(std::istream& in, const std::string& path, std::uint64_t max_bytes)
      : in_(in), path_(path), max_bytes_(max_bytes) {}
  // The next line without its '\n' (and without a trailing '\r'), or false
  // at the end of the input.
  bool next(std::string& line, std::size_t line_no) {
    line.clear();
    for (;;) {
      if (pos_ == len_) {
        if (!fill()) {
          if (line.empty() && !partial_) return false;
          partial_ = false;
          break;
        }
      }
      const char* b = buf_ + pos_;
      const void* nl = std::memchr(b, '\n', len_ - pos_);
      const std::size_t take = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - b) : len_ - pos_;
      if (line.size() + take > kMaxLine)
        fail(path_, line_no, 1, "line longer than " + std::to_string(kMaxLine) + " bytes (is this a particle CSV?)");
      line.append(b, take);
      pos_ += take;
      partial_ = true;
      if (nl) {
        ++pos_;
        partial_ = false;
        break;
      }
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }
  bool bad() const { return in_.bad(); }

 private:
  static constexpr std::size_t kMaxLine = 4096;  // 7 numbers need < 200
  bool fill() {
    if (!in_) return false;
    in_.read(buf_, sizeof buf_);
    len_ = static_cast<std::size_t>(in_.gcount());
    pos_ = 0;
    total_ += len_;
    if (total_ > max_bytes_)
      fail(path_, 1, 1, "input is larger than " + std::to_string(max_bytes_ / 1000000) +
                             " MB, the most this run can hold (see --dry-run)");
    return len_ > 0;
  }
  std::istream& in_;
  const std::string& path_;
  std::uint64_t max_bytes_;
  std::uint64_t total_ = 0;
  char buf_[1 << 16];
  std::size_t pos_ = 0, len_ = 0;
  bool partial_ = false;
};

std::vector<ParticleRecord> parse_stream(std::istream& in, const std::string& path, std::uint64_t max_bytes) {
  auto reader = std::make_unique<LineReader>(in, path, max_bytes);
  std::string line;
  if (!reader->next(line, 1))
    fail(path, 1, 1, "empty file, expected header '" + std::string(kHeader) + "'");
  std::string_view header = line;
  if (header.starts_with("\xEF\xBB\xBF")) header.remove_prefix(3);
  check_header(path, header);

  std::vector<ParticleRecord> out;
  std::size_t line_no = 1;
  std::size_t first_blank = 0;  // line number of a blank line not yet followed by data
  while (reader->next(line, line_no + 1)) {
    ++line_no;
    if (line.empty()) {
      if (first_blank == 0) first_blank = line_no;
      continue;
    }
    if (first_blank != 0) fail(path, first_blank, 1, "blank line before the end of the data");
    out.push_back(parse_record(path, line_no, line));
  }
  if (reader->bad()) fail(path, line_no + 1, 1, "read error");
  if (out.empty()) fail(path, 2, 1, "no particles after the header");
  return out;
}

}  // namespace

std::vector<ParticleRecord> read_particles_csv(const std::string& path, std::uint64_t max_bytes) {
  // std::ifstream happily "opens" a directory and only fails on the first
  // read, which would then be reported as an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, 1, 1, "cannot open: is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;  // before the message's allocations, which may change it
    fail(path, 1, 1, std::string("cannot open: ") + (err ? std::strerror(err) : "unknown error"));
  }
  return parse_stream(in, path, max_bytes);
}

std::vector<ParticleRecord> parse_particles_csv(std::string_view text, const std::string& name) {
  std::istringstream in{std::string(text)};
  return parse_stream(in, name, UINT64_MAX);
}

void write_particles_csv(const std::string& path, std::size_t n,
                         const std::function<ParticleRecord(std::size_t)>& get, bool allow_nonfinite) {
  // A run-time failure (a full disk), not bad input: io::OutputError.
  auto error = [&](const std::string& what) { return io::OutputError("cannot write '" + path + "': " + what); };
  io::write_file_atomic_with(path, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw error(std::strerror(errno));
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(f, std::fclose);
    // Formatted into one buffer and written in large blocks: per-field stream
    // insertion costs several times more at 10M particles. Shortest round-trip
    // form (std::to_chars without precision) rather than a fixed %.17g: the
    // value read back is bit-identical either way, and 0.1 stays "0.1".
    constexpr std::size_t kBlock = 1 << 20;
    constexpr std::size_t kMaxLine = kNumAttrs * 32;  // a double needs at most 24 chars
    std::string buf;
    buf.reserve(kBlock + kMaxLine);
    auto flush = [&] {
      if (std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) throw error(std::strerror(errno));
      buf.clear();
    };
    buf.append(kHeader);
    buf.push_back('\n');
    char num[32];
    for (std::size_t i = 0; i < n; ++i) {
      const ParticleRecord p = get(i);
      for (int a = 0; a < kNumAttrs; ++a) {
        const double v = p.get(a);
        // Refuse to write what read_particles_csv would refuse to read, so a
        // snapshot fails now instead of on reload, unless the caller asks
        // for the state of a run that diverged (the report says so).
        if (!allow_nonfinite && (!std::isfinite(v) || (a == MASS && !(v > 0)))) {
          char shown[32];
          std::snprintf(shown, sizeof shown, "%.6g", v);
          throw error("particle " + std::to_string(i) + " has " + std::string(kAttrNames[a]) + " = " + shown);
        }
        const auto res = std::to_chars(num, num + sizeof num, v);
        if (a) buf.push_back(',');
        buf.append(num, res.ptr);
      }
      buf.push_back('\n');
      if (buf.size() >= kBlock) flush();
    }
    flush();
    std::FILE* raw = guard.release();
    if (std::fclose(raw) != 0) throw error(std::strerror(errno));
  });
}

}  // namespace slotsim
