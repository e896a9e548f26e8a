#include "sim/io/isolated_call.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>

#include "sim/message.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define SLOTSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOTSIM_ASAN 1
#endif
#endif

namespace slotsim::io {
namespace {

// Tags of the wire format: one byte before every value.
constexpr char kU64 = 'u', kI64 = 'i', kF64 = 'f', kStr = 's', kBytes = 'b', kError = 'E', kEnd = 'Z';
constexpr std::size_t kMaxError = 4096;

[[noreturn]] void broken(const std::string& what) { throw IsolatedFailure(what, false); }

#ifndef SLOTSIM_ASAN
// The child's address-space size now, from /proc/self/statm (pages). Not
// under ASan, whose shadow memory makes an address-space cap meaningless.
std::uint64_t vm_size_bytes() {
  std::ifstream f("/proc/self/statm");
  std::uint64_t pages = 0;
  f >> pages;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}
#endif

}  // namespace

double default_idle_timeout() {
  if (const char* e = std::getenv("SLOTSIM_READER_TIMEOUT"); e && *e) {
    char* end = nullptr;
    const double v = std::strtod(e, &end);
    if (*end == '\0' && v >= 1 && v <= 86400) return v;
  }
  return 120;
}

WireWriter::WireWriter(int fd) : fd_(fd) { buf_.reserve(1 << 20); }

void WireWriter::raw(const void* p, std::size_t n) {
  const char* c = static_cast<const char*>(p);
  if (buf_.size() + n > (1u << 20)) flush();
  if (n >= (1u << 20)) {
    // Large pieces go out directly, not through the buffer.
    while (n > 0) {
      const ssize_t w = ::write(fd_, c, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) ::_exit(3);  // the parent is gone or stopped reading
      c += w;
      n -= static_cast<std::size_t>(w);
    }
    return;
  }
  buf_.insert(buf_.end(), c, c + n);
}
void WireWriter::flush() {
  std::size_t off = 0;
  while (off < buf_.size()) {
    const ssize_t w = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ::_exit(3);
    off += static_cast<std::size_t>(w);
  }
  buf_.clear();
}
void WireWriter::tag(char t) { raw(&t, 1); }
void WireWriter::u64(std::uint64_t v) {
  tag(kU64);
  raw(&v, sizeof v);
}
void WireWriter::i64(std::int64_t v) {
  tag(kI64);
  raw(&v, sizeof v);
}
void WireWriter::f64(double v) {
  tag(kF64);
  raw(&v, sizeof v);
}
void WireWriter::str(std::string_view s) {
  tag(kStr);
  const std::uint64_t n = s.size();
  raw(&n, sizeof n);
  raw(s.data(), s.size());
}
void WireWriter::bytes(const void* p, std::size_t n) {
  tag(kBytes);
  const std::uint64_t k = n;
  raw(&k, sizeof k);
  raw(p, n);
}
void WireWriter::end() {
  tag(kEnd);
  flush();
}
void WireWriter::error(std::string_view message) {
  // Every value in the buffer is whole (a value is written in one go), so
  // the error follows them and the reader meets it where it expects a tag.
  const std::string m(message.substr(0, kMaxError));
  tag(kError);
  const std::uint64_t n = m.size();
  raw(&n, sizeof n);
  raw(m.data(), m.size());
  flush();
}

WireReader::WireReader(int fd, double idle_timeout_s) : fd_(fd), idle_timeout_s_(idle_timeout_s), buf_(1 << 16) {}

void WireReader::fill() {
  pos_ = end_ = 0;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int ms = idle_timeout_s_ > 0 ? static_cast<int>(idle_timeout_s_ * 1000) : -1;
    const int n = ::poll(&p, 1, ms);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) broken("no progress for " + std::to_string(static_cast<int>(idle_timeout_s_)) + " s");
    const ssize_t got = ::read(fd_, buf_.data(), buf_.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) broken("the reader stopped before the end");
    end_ = static_cast<std::size_t>(got);
    return;
  }
}
void WireReader::raw(void* dst, std::size_t n) {
  char* d = static_cast<char*>(dst);
  while (n > 0) {
    if (pos_ == end_) {
      // Large reads bypass the buffer.
      if (n >= buf_.size()) {
        pollfd p{fd_, POLLIN, 0};
        const int ms = idle_timeout_s_ > 0 ? static_cast<int>(idle_timeout_s_ * 1000) : -1;
        const int k = ::poll(&p, 1, ms);
        if (k < 0 && errno == EINTR) continue;
        if (k == 0) broken("no progress for " + std::to_string(static_cast<int>(idle_timeout_s_)) + " s");
        const ssize_t got = ::read(fd_, d, n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) broken("the reader stopped before the end");
        d += got;
        n -= static_cast<std::size_t>(got);
        continue;
      }
      fill();
    }
    const std::size_t k = std::min(n, end_ - pos_);
    std::memcpy(d, buf_.data() + pos_, k);
    pos_ += k;
    d += k;
    n -= k;
  }
}
void WireReader::expect(char t) {
  char got = 0;
  raw(&got, 1);
  if (got == t) return;
  if (got == kError) {
    std::uint64_t n = 0;
    raw(&n, sizeof n);
    if (n > kMaxError) broken("a malformed error from the reader");
    std::string m(n, '\0');
    raw(m.data(), n);
    throw IsolatedFailure(one_line(m), true);
  }
  broken("a malformed stream from the reader");
}
std::uint64_t WireReader::u64() {
  expect(kU64);
  std::uint64_t v;
  raw(&v, sizeof v);
  return v;
}
std::int64_t WireReader::i64() {
  expect(kI64);
  std::int64_t v;
  raw(&v, sizeof v);
  return v;
}
double WireReader::f64() {
  expect(kF64);
  double v;
  raw(&v, sizeof v);
  return v;
}
std::string WireReader::str(std::size_t max_len) {
  expect(kStr);
  std::uint64_t n = 0;
  raw(&n, sizeof n);
  if (n > max_len) broken("a string of " + std::to_string(n) + " bytes, more than the " + std::to_string(max_len) + " allowed");
  std::string s(n, '\0');
  raw(s.data(), n);
  return s;
}
void WireReader::bytes(void* dst, std::size_t size) {
  char* d = static_cast<char*>(dst);
  std::size_t got = 0;
  while (got < size) {
    expect(kBytes);
    std::uint64_t n = 0;
    raw(&n, sizeof n);
    if (n > size - got) broken("an array longer than the " + std::to_string(size) + " bytes expected");
    raw(d + got, n);
    got += n;
  }
}
void WireReader::expect_end() { expect(kEnd); }

void run_isolated(const std::function<void(WireWriter&)>& produce, const std::function<void(WireReader&)>& consume,
                  const IsolationLimits& limits) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    const int err = errno;  // before the message's allocations, which may change it
    broken(std::string("pipe: ") + std::strerror(err));
  }
  ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);  // fewer switches; the default 64 kB still works
  const pid_t parent = ::getpid();
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;  // before the closes and the message's allocations
    ::close(fds[0]);
    ::close(fds[1]);
    broken(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // The child: dies with the parent, leaves signals to it, bounded memory.
    ::close(fds[0]);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(4);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGPIPE, SIG_DFL);
    // A crash is the child's way to report a corrupt file: it must die of
    // its signal (which the parent names), not print a sanitizer's report.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
    // Nor may it write to slotsim's terminal: its answer and its errors go
    // through the pipe, and the parent's message is the one line. (Under
    // ASan a corrupt file made libhdf5 ask for 2^59 bytes, and the child
    // printed a 48-line sanitizer report before dying.)
    if (const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC); null >= 0) {
      ::dup2(null, 2);
      ::close(null);
    }
#ifndef SLOTSIM_ASAN
    // ASan reserves terabytes of shadow address space: no limit there.
    if (limits.memory_bytes > 0) {
      const rlim_t cap = static_cast<rlim_t>(vm_size_bytes() + limits.memory_bytes);
      rlimit rl{cap, cap};
      ::setrlimit(RLIMIT_AS, &rl);
    }
#endif
    WireWriter w(fds[1]);
    try {
      produce(w);
      w.end();
    } catch (const std::bad_alloc&) {
      w.error("out of memory while reading (the file asks for more than " +
              std::to_string(limits.memory_bytes >> 20) + " MB)");
    } catch (const std::exception& e) {
      w.error(e.what());
    } catch (...) {
      w.error("unknown error while reading");
    }
    // No exit handlers: they belong to the parent (HDF5's, leak checks).
    ::_exit(0);
  }
  ::close(fds[1]);
  // Kills and reaps the child on every way out of here.
  struct Child {
    pid_t pid;
    int fd;
    bool reaped = false;
    int status = 0;
    int wait() {
      ::close(fd);
      fd = -1;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      reaped = true;
      return status;
    }
    ~Child() {
      if (fd >= 0) ::close(fd);
      if (!reaped) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
    }
  } child{pid, fds[0]};
  WireReader r(fds[0], limits.idle_timeout_s);
  // A crash shows as an early end of the stream: say how the child died.
  auto died = [&](const IsolatedFailure& e) {
    if (e.from_child()) throw e;
    ::kill(child.pid, SIGKILL);
    const int st = child.wait();
    if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
      broken("the reader crashed (signal " + std::to_string(WTERMSIG(st)) + ": " + strsignal(WTERMSIG(st)) +
             ") on this file; it is corrupt or not what it claims to be");
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
      broken("the reader exited with status " + std::to_string(WEXITSTATUS(st)));
    broken(e.what());
  };
  try {
    consume(r);
    r.expect_end();
  } catch (const IsolatedFailure& e) {
    died(e);
  }
  const int st = child.wait();
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) broken("the reader ended abnormally after its answer");
}

}  // namespace slotsim::io
