#pragma once
// Running a library on an untrusted file in a child process, so that a
// crash, a hang or a runaway allocation inside the library is reported as
// one line instead of taking slotsim down with it.
//
// Why: libhdf5 1.10 trusts the metadata it decodes. A restart file with one
// byte of its global heap changed made it dereference a wild pointer
// (exit 139) or loop forever, and the fuzzer finds such paths throughout
// its object-header and B-tree code, not only in variable-length strings.
// A check before each library call cannot know what the library will
// dereference, so the reading itself runs in a fork of slotsim:
//  - the child (produce) opens the file, checks shapes before reading, and
//    streams what it read through a pipe as typed values (WireWriter);
//  - the parent (consume) reads them back (WireReader) and validates every
//    value before it is used: the child's output is untrusted too;
//  - the child dies with its parent (PR_SET_PDEATHSIG), ignores SIGINT /
//    SIGTERM (the parent decides), and, outside sanitizer builds, cannot
//    allocate more than the limit (RLIMIT_AS);
//  - a child that crashes, exits early, or sends nothing for
//    idle_timeout_s is an IsolatedFailure naming what happened.
// Rejected: a separate executable (`slotsim __read FILE`): the library's
// other users (the GUI, the tests) would need to find it. A fork runs the
// same code with nothing to install.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace slotsim::io {

// 120 s, or SLOTSIM_READER_TIMEOUT when it is a number from 1 to 86400.
double default_idle_timeout();

// What went wrong in the child, in one line. from_child: the child's own
// exception text (the library refused the file cleanly), else a crash, a
// hang or a broken stream, described by the parent.
class IsolatedFailure : public std::runtime_error {
 public:
  IsolatedFailure(const std::string& what, bool from_child) : std::runtime_error(what), from_child_(from_child) {}
  bool from_child() const { return from_child_; }

 private:
  bool from_child_;
};

// The child's side of the pipe: typed values, buffered.
class WireWriter {
 public:
  explicit WireWriter(int fd);
  void u64(std::uint64_t v);
  void i64(std::int64_t v);
  void f64(double v);
  void str(std::string_view s);
  // A piece of an array: the writer sends an array in as many pieces as
  // it likes (each tagged, so an error can arrive between two), the reader
  // takes them with one bytes() call of the same total size.
  void bytes(const void* p, std::size_t n);
  void flush();
  // Used by run_isolated: the end of the stream, or the child's exception.
  void end();
  void error(std::string_view message);

 private:
  void tag(char t);
  void raw(const void* p, std::size_t n);
  int fd_;
  std::vector<char> buf_;
};

// The parent's side: the same values in the same order. A value of another
// type than asked, or the end of the stream, throws IsolatedFailure; the
// child's exception arrives as IsolatedFailure(from_child = true).
class WireReader {
 public:
  WireReader(int fd, double idle_timeout_s);
  std::uint64_t u64();
  std::int64_t i64();
  double f64();
  std::string str(std::size_t max_len);
  // Reads an array of exactly `size` bytes into dst (the caller knows the
  // size it accepts before it allocates dst).
  void bytes(void* dst, std::size_t size);
  // Used by run_isolated: the stream must end here.
  void expect_end();

 private:
  void expect(char t);
  void raw(void* dst, std::size_t n);
  void fill();
  int fd_;
  double idle_timeout_s_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
};

struct IsolationLimits {
  // Nothing from the child this long: killed. A corrupt file can make
  // libhdf5 loop forever; a healthy read sends a slab every few ms.
  // SLOTSIM_READER_TIMEOUT (seconds) overrides it (default_idle_timeout).
  double idle_timeout_s = default_idle_timeout();
  std::uint64_t memory_bytes = 4ull << 30;  // RLIMIT_AS headroom for the child (not under ASan)
};

// Forks; the child runs produce(w) and exits, the parent runs consume(r) on
// the stream, then expects its end and reaps the child. Throws
// IsolatedFailure (see above); an exception from consume kills the child
// and passes on.
void run_isolated(const std::function<void(WireWriter&)>& produce, const std::function<void(WireReader&)>& consume,
                  const IsolationLimits& limits = {});

}  // namespace slotsim::io
