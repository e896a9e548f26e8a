#include "sim/io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "sim/interrupt.hpp"

namespace slotsim::io {
namespace {

namespace fs = std::filesystem;

// Callers copy errno into a local before building a message: in
// `"..." + path + errno_text(errno)` the operands may be evaluated in any
// order, so errno could be read after the strings' allocations, which may
// change it.
std::string errno_text(int err) { return std::strerror(err); }

// Follows a chain of symlinks, also when the last one dangles (a link to a
// report that does not exist yet is written at the link's target).
std::string follow_links(const std::string& path) {
  std::string cur = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(cur.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
    std::error_code ec;
    fs::path target = fs::read_symlink(cur, ec);
    if (ec) return cur;
    if (target.is_relative()) target = fs::path(cur).parent_path() / target;
    cur = target.lexically_normal().string();
  }
  throw std::invalid_argument("'" + path + "': too many levels of symbolic links");
}

// The longest file name the directory of `path` takes (255 on ext4, xfs,
// tmpfs); 255 when the directory cannot be asked.
std::size_t name_max_of(const std::string& path) {
  const fs::path dir = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  const long v = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  return v > 0 ? static_cast<std::size_t>(v) : 255;
}

constexpr std::string_view kTempTag = ".tmp-XXXXXX";

// NAME.tmp-XXXXXX.EXT, the mkstemps pattern of the temporary beside
// `resolved`: the extension is kept because some writers (an image library,
// HDF5's users) pick the format from it. NAME is shortened (at a UTF-8
// character boundary) so the temporary's name fits NAME_MAX whenever the
// target's does: a legal 254-byte name once failed only after the whole run,
// at the rename, losing the report. Returns "" if even an empty NAME cannot
// fit (an extension near NAME_MAX), which check_output refuses up front.
std::string temp_pattern(const std::string& resolved, std::size_t* ext_len = nullptr) {
  const std::string base = fs::path(resolved).filename().string();
  const auto dot = base.rfind('.');
  const std::string ext = dot == std::string::npos || dot == 0 ? "" : base.substr(dot);
  std::string stem = base.substr(0, base.size() - ext.size());
  const std::size_t max = name_max_of(resolved);
  if (ext.size() + kTempTag.size() + 1 > max) return "";
  if (stem.size() + kTempTag.size() + ext.size() > max) {
    std::size_t keep = max - kTempTag.size() - ext.size();
    while (keep > 0 && (static_cast<unsigned char>(stem[keep]) & 0xC0) == 0x80) --keep;  // not inside a character
    stem.resize(keep);
  }
  if (ext_len) *ext_len = ext.size();
  std::string out(resolved, 0, resolved.size() - base.size());
  out.append(stem).append(kTempTag).append(ext);
  return out;
}

// A unique temporary beside `resolved`, registered for removal on a second
// signal. Owns the name: the destructor removes it unless released.
class TempFile {
 public:
  explicit TempFile(const std::string& resolved) {
    std::size_t ext_len = 0;
    std::string pattern = temp_pattern(resolved, &ext_len);
    if (pattern.empty())
      throw OutputError("cannot write '" + resolved + "': its extension leaves no room for a temporary name");
    fd_ = ::mkstemps(pattern.data(), static_cast<int>(ext_len));
    if (fd_ < 0) {
      const int err = errno;
      throw OutputError("cannot write '" + resolved + "': cannot create a temporary file beside it: " +
                        errno_text(err));
    }
    path_ = pattern;
    slot_ = register_temp_file(path_.c_str());
    // mkstemp makes 0600; a report should get the permissions any new file
    // gets (0666 less the umask), or keep those of the file it replaces.
    struct stat st {};
    mode_t mode;
    if (::stat(resolved.c_str(), &st) == 0) {
      mode = st.st_mode & 07777;
    } else {
      const mode_t mask = ::umask(0);
      ::umask(mask);
      mode = 0666 & ~mask;
    }
    ::fchmod(fd_, mode);
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
    unregister_temp_file(slot_);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes the descriptor; returns errno or 0.
  int close() {
    const int r = ::close(fd_);
    fd_ = -1;
    return r == 0 ? 0 : errno;
  }
  void release() {
    path_.clear();
    unregister_temp_file(slot_);
    slot_ = -1;
  }

 private:
  int fd_ = -1;
  int slot_ = -1;
  std::string path_;
};

// write(2) until done; returns errno or 0.
int write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

// Opens a device or FIFO output for writing, or throws. A FIFO's blocking
// open waits for a reader, and the signal handlers restart it (SA_RESTART,
// sim/interrupt.cpp), so a run whose report went to a FIFO nobody read sat
// through SIGINT and SIGTERM until a second signal. So: open non-blocking,
// and while there is no reader (ENXIO) and no signal, try again every 50
// ms; then make the descriptor blocking for the write. (A helper thread
// blocked in open(), cancelled on a signal, was the alternative: more
// moving parts for the same wait.)
int open_device(const OutputTarget& t) {
  for (;;) {
    const int fd = ::open(t.resolved.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) {
      const int flags = ::fcntl(fd, F_GETFL);
      if (flags >= 0 && ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0) return fd;
      const int err = errno;
      ::close(fd);
      throw OutputError("cannot open '" + t.path + "': " + errno_text(err));
    }
    if (const int err = errno; err != ENXIO) throw OutputError("cannot open '" + t.path + "': " + errno_text(err));
    if (interrupt_signal() != 0)
      throw OutputError("cannot write '" + t.path + "': no reader opened this FIFO before the signal");
    ::usleep(50000);
  }
}

void write_direct(const OutputTarget& t, const char* p, std::size_t n) {
  if (t.kind == OutputKind::Stdout) {
    std::fflush(stdout);
    if (const int err = write_all(1, p, n)) throw OutputError("cannot write to stdout: " + errno_text(err));
    return;
  }
  const int fd = open_device(t);
  const int err = write_all(fd, p, n);
  const int cerr = ::close(fd) == 0 ? 0 : errno;
  if (err || cerr) throw OutputError("cannot write '" + t.path + "': " + errno_text(err ? err : cerr));
}

void commit(TempFile& tmp, const OutputTarget& t) {
  if (::fsync(tmp.fd()) != 0) {
    if (const int err = errno; err != EINVAL) throw OutputError("cannot write '" + t.path + "': " + errno_text(err));
  }
  if (const int err = tmp.close()) throw OutputError("cannot write '" + t.path + "': " + errno_text(err));
  if (std::rename(tmp.path().c_str(), t.resolved.c_str()) != 0) {
    const int err = errno;
    throw OutputError("cannot replace '" + t.path + "': " + errno_text(err));
  }
  tmp.release();
}

// Whether `st` is the pipe or regular file that standard output writes to
// (a path such as /dev/stdout or /dev/fd/1, or the very file stdout was
// redirected to). Such a path is stdout by another name: written as a file
// (a temporary renamed over it) it replaced, or was appended to, whatever
// else went to stdout, and through a pipe its /proc link names no file at
// all ("pipe:[N]"), which failed only once the run was over. Of the
// character devices only a terminal counts (mpirun gives its ranks one):
// /dev/null may take several outputs.
bool is_stdout_stream(const struct stat& st) {
  struct stat out {};
  const bool stream = S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode) ||
                      (S_ISCHR(st.st_mode) && ::isatty(STDOUT_FILENO));
  return stream && ::fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino;
}

OutputTarget resolve(const std::string& path) {
  OutputTarget t;
  t.path = path;
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;  // the kernel follows /proc's fd links
  if (path == "-" || (exists && is_stdout_stream(st))) {
    t.kind = OutputKind::Stdout;  // written to fd 1, whatever the name
    t.resolved = path;
    return t;
  }
  // A pipe or device reached through a /proc fd link (/dev/fd/N, a shell's
  // process substitution): the link's text is no path, so it is opened by
  // the name given.
  if (exists && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    t.kind = OutputKind::Device;
    t.resolved = path;
    return t;
  }
  // What is left is a regular file, a directory (refused by the caller) or
  // a name that does not exist yet: the one stat above, which followed the
  // links, said so, and a second stat of the followed name would only ask
  // it again.
  t.resolved = follow_links(path);
  t.kind = OutputKind::File;
  return t;
}

}  // namespace

bool is_stdout(const std::string& path) { return !path.empty() && resolve(path).kind == OutputKind::Stdout; }

OutputTarget check_output(const std::string& path, const std::string& flag) {
  if (path.empty()) throw std::invalid_argument(flag + ": empty file name");
  OutputTarget t;
  try {
    t = resolve(path);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(flag + " " + e.what());
  }
  if (t.kind == OutputKind::Stdout) {
    // Closed (`>&-`), stdout would fail only at the end, with the run done.
    if (::fcntl(STDOUT_FILENO, F_GETFD) == -1)
      throw std::invalid_argument(flag + ": '" + path + "': standard output is closed");
    return t;
  }
  if (t.kind == OutputKind::Device) {
    if (::access(t.resolved.c_str(), W_OK) != 0) {
      const int err = errno;
      throw std::invalid_argument(flag + ": cannot write '" + path + "': " + errno_text(err));
    }
    return t;
  }
  std::error_code ec;
  const fs::path p(t.resolved);
  if (fs::is_directory(p, ec)) throw std::invalid_argument(flag + ": '" + path + "' is a directory");
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw std::invalid_argument(flag + ": directory '" + dir.string() + "' does not exist");
  // /proc takes no new files, whatever access() tells root; a /proc fd link
  // that is not open (/dev/stdout with stdout closed) ends up here.
  const std::string canon_dir = fs::weakly_canonical(fs::absolute(dir, ec), ec).string();
  if (canon_dir == "/proc" || canon_dir.rfind("/proc/", 0) == 0)
    throw std::invalid_argument(flag + ": '" + path + "': no file can be created in /proc (a closed descriptor?)");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    const int err = errno;
    throw std::invalid_argument(flag + ": cannot write in '" + dir.string() + "': " + errno_text(err));
  }
  if (::access(t.resolved.c_str(), F_OK) == 0 && ::access(t.resolved.c_str(), W_OK) != 0) {
    const int err = errno;
    throw std::invalid_argument(flag + ": cannot write '" + path + "': " + errno_text(err));
  }
  // Names the file system cannot take fail at the first open, which for a
  // report is after the whole run: say so now. The temporary written
  // beside the target is shortened to fit (temp_pattern).
  const std::size_t name = p.filename().string().size(), max = name_max_of(t.resolved);
  if (name > max)
    throw std::invalid_argument(flag + ": the file name is " + std::to_string(name) + " bytes, longer than the " +
                                std::to_string(max) + " this file system allows");
  if (t.resolved.size() + 1 > PATH_MAX)
    throw std::invalid_argument(flag + ": the path is " + std::to_string(t.resolved.size()) +
                                " bytes, longer than the system allows (" + std::to_string(PATH_MAX - 1) + ")");
  if (temp_pattern(t.resolved).empty())
    throw std::invalid_argument(flag + ": '" + path + "': the extension leaves no room for a temporary name");
  return t;
}

std::string OutputSeries::name(std::uint64_t index) const {
  const fs::path p(base);
  char num[32];
  std::snprintf(num, sizeof num, "_%03llu", static_cast<unsigned long long>(index));
  return (p.parent_path() / (p.stem().string() + num + p.extension().string())).string();
}

std::optional<std::uint64_t> OutputSeries::index_of(const std::string& filename) const {
  const fs::path p(base);
  const std::string stem = p.stem().string() + "_", ext = p.extension().string();
  if (filename.size() <= stem.size() + ext.size() || filename.compare(0, stem.size(), stem) != 0 ||
      filename.compare(filename.size() - ext.size(), ext.size(), ext) != 0)
    return std::nullopt;
  const std::string digits = filename.substr(stem.size(), filename.size() - stem.size() - ext.size());
  if (digits.size() > 20 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const std::uint64_t v = std::strtoull(digits.c_str(), nullptr, 10);
  // Only the spelling name() gives: out_7.h5 and out_0007.h5 are not members.
  if (fs::path(name(v)).filename().string() != filename || v < first || v > last) return std::nullopt;
  return v;
}

namespace {

struct PathKey {
  std::string flag, path, canon;
  dev_t dev = 0;
  ino_t ino = 0;
  bool exists = false;
};

// `resolved`: the path with its symlinks followed, once, by the caller.
PathKey path_key(const std::string& flag, const std::string& path, const std::string& resolved) {
  PathKey k{flag, path, {}, 0, 0, false};
  std::error_code ec;
  k.canon = fs::weakly_canonical(fs::absolute(resolved, ec), ec).string();
  struct stat st {};
  if (::stat(resolved.c_str(), &st) == 0) {
    k.exists = true;
    k.dev = st.st_dev;
    k.ino = st.st_ino;
  }
  return k;
}

bool same_file(const PathKey& a, const PathKey& b) {
  if (a.exists && b.exists) return a.dev == b.dev && a.ino == b.ino;
  return a.canon == b.canon;
}

// The directory of `path` as device/inode (or its canonical name where it
// does not exist), so "sub/../out_001.h5" and "out_001.h5" meet.
PathKey dir_key(const std::string& path) {
  const fs::path p(path);
  const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  return path_key("", dir, dir);
}

}  // namespace

void check_distinct_paths(const std::vector<std::pair<std::string, OutputTarget>>& outputs,
                          const std::vector<std::pair<std::string, std::string>>& inputs,
                          const std::vector<OutputSeries>& series) {
  std::vector<PathKey> outs, ins;
  const std::string* stdout_flag = nullptr;
  for (const auto& [f, t] : outputs) {
    if (t.kind == OutputKind::Stdout) {
      if (stdout_flag)
        throw std::invalid_argument(*stdout_flag + " and " + f +
                                    " both write to stdout ('-'): one stream cannot carry two documents");
      stdout_flag = &f;
    }
    if (t.kind == OutputKind::File && !t.path.empty()) outs.push_back(path_key(f, t.path, t.resolved));
  }
  for (const auto& [f, p] : inputs)
    if (!p.empty() && p != "-") ins.push_back(path_key(f, p, follow_links(p)));
  for (std::size_t i = 0; i < outs.size(); ++i) {
    for (std::size_t j = i + 1; j < outs.size(); ++j)
      if (same_file(outs[i], outs[j]))
        throw std::invalid_argument(outs[i].flag + " and " + outs[j].flag + " name the same file '" +
                                    outs[j].path + "'");
    for (const PathKey& in : ins)
      if (same_file(outs[i], in))
        throw std::invalid_argument(outs[i].flag + " '" + outs[i].path + "' would overwrite the input " + in.flag +
                                    " '" + in.path + "'");
  }
  for (const OutputSeries& s : series) {
    if (s.first > s.last) continue;
    const PathKey sdir = dir_key(s.base);
    std::string range = "(";
    range.append(fs::path(s.name(s.first)).filename().string()).append(" to ");
    range.append(fs::path(s.name(s.last)).filename().string()).append(")");
    // Every other path, as given and as its symlinks resolve: a series file
    // replaced the --ic input, the --restart input and a --csv report.
    auto check = [&](const std::string& flag, const std::string& path, const std::string& what) {
      for (const std::string& p : {path, follow_links(path)}) {
        if (!same_file(dir_key(p), sdir)) continue;
        if (s.index_of(fs::path(p).filename().string()))
          throw std::invalid_argument(flag + " '" + path + "' is a file of the " + s.flag + " series " + range +
                                      ", which " + what);
      }
    };
    for (const auto& [f, t] : outputs)
      if (t.kind == OutputKind::File && !t.path.empty()) check(f, t.path, "would overwrite it");
    for (const auto& [f, p] : inputs)
      if (!p.empty() && p != "-") check(f, p, "would overwrite the input");
    // Members that exist already and are symlinks: writing one replaces its
    // target, which must be none of the other paths.
    std::error_code ec;
    const fs::path dir = fs::path(s.base).has_parent_path() ? fs::path(s.base).parent_path() : fs::path(".");
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string fname = it->path().filename().string();
      if (!s.index_of(fname)) continue;
      const std::string member = (dir / fname).string();
      if (fs::is_directory(member, ec))
        throw std::invalid_argument(s.flag + ": '" + member + "', a file of the series, is a directory");
      if (!fs::is_symlink(it->symlink_status(ec))) continue;
      const PathKey target = path_key(s.flag, member, follow_links(member));
      for (const std::vector<PathKey>* keys : {&outs, &ins})
        for (const PathKey& k : *keys)
          if (same_file(target, k))
            throw std::invalid_argument(s.flag + ": the series file '" + member + "' is a symlink to " + k.flag +
                                        " '" + k.path + "', which writing it would overwrite");
    }
  }
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const OutputTarget t = resolve(path);
  if (t.kind != OutputKind::File) return write_direct(t, text.data(), text.size());
  TempFile tmp(t.resolved);
  if (const int err = write_all(tmp.fd(), text.data(), text.size()))
    throw OutputError("cannot write '" + path + "': " + errno_text(err));
  commit(tmp, t);
}

void write_file_atomic_with(const std::string& path, const std::function<void(const std::string& tmp)>& write) {
  const OutputTarget t = resolve(path);
  if (t.kind == OutputKind::File) {
    TempFile tmp(t.resolved);
    write(tmp.path());
    commit(tmp, t);
    return;
  }
  // A device: the writer still needs a real file; write it in the temporary
  // directory, then copy its bytes out in 1 MB pieces. (Reading it whole
  // into memory first, as a first version did, cost the whole file again:
  // 1.75x the plan for a snapshot written to a device.)
  const char* dir = std::getenv("TMPDIR");
  TempFile tmp(std::string(dir && *dir ? dir : "/tmp") + "/slotsim-output");
  write(tmp.path());
  const int in = ::open(tmp.path().c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    const int err = errno;
    throw OutputError("cannot read back '" + tmp.path() + "': " + errno_text(err));
  }
  int out = 1;
  if (t.kind != OutputKind::Stdout) {
    try {
      out = open_device(t);
    } catch (...) {
      ::close(in);
      throw;
    }
  }
  if (out == 1) std::fflush(stdout);
  std::vector<char> buf(1 << 20);
  int err = 0;
  for (;;) {
    const ssize_t r = ::read(in, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      err = errno;
      break;
    }
    if (r == 0) break;
    if ((err = write_all(out, buf.data(), static_cast<std::size_t>(r))) != 0) break;
  }
  ::close(in);
  if (out != 1 && ::close(out) != 0 && !err) err = errno;
  if (err) throw OutputError("cannot write '" + t.path + "': " + errno_text(err));
}

void check_image_name(const std::string& path) {
  const auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != "png" && ext != "bmp" && ext != "tga" && ext != "jpg" && ext != "jpeg")
    throw std::invalid_argument("screenshot '" + path + "': use a .png, .bmp, .tga or .jpg name");
}

}  // namespace slotsim::io
