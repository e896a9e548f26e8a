#include "sim/io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "sim/interrupt.hpp"

namespace slotsim::io {
namespace {

namespace fs = std::filesystem;

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

OutputKind kind_of(const std::string& resolved) {
  struct stat st {};
  if (::stat(resolved.c_str(), &st) != 0) return OutputKind::File;
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
    return OutputKind::Device;
  return OutputKind::File;
}

// A unique temporary beside `resolved`, registered for removal on a second
// signal. Owns the name: the destructor removes it unless released.
class TempFile {
 public:
  explicit TempFile(const std::string& resolved) {
    // NAME.tmp-XXXXXX.EXT: the extension is kept because some writers (an
    // image library) pick the format from it.
    const std::string base = fs::path(resolved).filename().string();
    const auto dot = base.rfind('.');
    const std::string ext = dot == std::string::npos || dot == 0 ? "" : base.substr(dot);
    std::string pattern = resolved.substr(0, resolved.size() - ext.size()) + ".tmp-XXXXXX" + ext;
    fd_ = ::mkstemps(pattern.data(), static_cast<int>(ext.size()));
    if (fd_ < 0)
      throw std::runtime_error("cannot write '" + resolved + "': cannot create a temporary file beside it: " +
                               errno_text(errno));
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

void write_direct(const OutputTarget& t, const char* p, std::size_t n) {
  if (t.kind == OutputKind::Stdout) {
    std::fflush(stdout);
    if (const int err = write_all(1, p, n)) throw std::runtime_error("cannot write to stdout: " + errno_text(err));
    return;
  }
  const int fd = ::open(t.resolved.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open '" + t.path + "': " + errno_text(errno));
  const int err = write_all(fd, p, n);
  const int cerr = ::close(fd) == 0 ? 0 : errno;
  if (err || cerr) throw std::runtime_error("cannot write '" + t.path + "': " + errno_text(err ? err : cerr));
}

void commit(TempFile& tmp, const OutputTarget& t) {
  if (::fsync(tmp.fd()) != 0 && errno != EINVAL) {
    throw std::runtime_error("cannot write '" + t.path + "': " + errno_text(errno));
  }
  if (const int err = tmp.close()) throw std::runtime_error("cannot write '" + t.path + "': " + errno_text(err));
  if (std::rename(tmp.path().c_str(), t.resolved.c_str()) != 0)
    throw std::runtime_error("cannot replace '" + t.path + "': " + errno_text(errno));
  tmp.release();
}

OutputTarget resolve(const std::string& path) {
  OutputTarget t;
  t.path = path;
  if (path == "-") {
    t.kind = OutputKind::Stdout;
    t.resolved = path;
    return t;
  }
  t.resolved = follow_links(path);
  t.kind = kind_of(t.resolved);
  return t;
}

}  // namespace

OutputTarget check_output(const std::string& path, const std::string& flag) {
  if (path.empty()) throw std::invalid_argument(flag + ": empty file name");
  OutputTarget t;
  try {
    t = resolve(path);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(flag + " " + e.what());
  }
  if (t.kind == OutputKind::Stdout) return t;
  if (t.kind == OutputKind::Device) {
    if (::access(t.resolved.c_str(), W_OK) != 0)
      throw std::invalid_argument(flag + ": cannot write '" + path + "': " + errno_text(errno));
    return t;
  }
  std::error_code ec;
  const fs::path p(t.resolved);
  if (fs::is_directory(p, ec)) throw std::invalid_argument(flag + ": '" + path + "' is a directory");
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw std::invalid_argument(flag + ": directory '" + dir.string() + "' does not exist");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw std::invalid_argument(flag + ": cannot write in '" + dir.string() + "': " + errno_text(errno));
  if (::access(t.resolved.c_str(), F_OK) == 0 && ::access(t.resolved.c_str(), W_OK) != 0)
    throw std::invalid_argument(flag + ": cannot write '" + path + "': " + errno_text(errno));
  return t;
}

void check_distinct_paths(const std::vector<std::pair<std::string, OutputTarget>>& outputs,
                          const std::vector<std::pair<std::string, std::string>>& inputs) {
  struct Key {
    std::string flag, path, canon;
    dev_t dev = 0;
    ino_t ino = 0;
    bool exists = false;
  };
  // `resolved`: the path with its symlinks followed, once, by the caller.
  auto key = [](const std::string& flag, const std::string& path, const std::string& resolved) {
    Key k{flag, path, {}, 0, 0, false};
    std::error_code ec;
    k.canon = fs::weakly_canonical(fs::absolute(resolved, ec), ec).string();
    struct stat st {};
    if (::stat(resolved.c_str(), &st) == 0) {
      k.exists = true;
      k.dev = st.st_dev;
      k.ino = st.st_ino;
    }
    return k;
  };
  auto same = [](const Key& a, const Key& b) {
    if (a.exists && b.exists) return a.dev == b.dev && a.ino == b.ino;
    return a.canon == b.canon;
  };
  std::vector<Key> outs, ins;
  for (const auto& [f, t] : outputs)
    if (t.kind == OutputKind::File && !t.path.empty()) outs.push_back(key(f, t.path, t.resolved));
  for (const auto& [f, p] : inputs)
    if (!p.empty() && p != "-") ins.push_back(key(f, p, follow_links(p)));
  for (std::size_t i = 0; i < outs.size(); ++i) {
    for (std::size_t j = i + 1; j < outs.size(); ++j)
      if (same(outs[i], outs[j]))
        throw std::invalid_argument(outs[i].flag + " and " + outs[j].flag + " name the same file '" +
                                    outs[j].path + "'");
    for (const Key& in : ins)
      if (same(outs[i], in))
        throw std::invalid_argument(outs[i].flag + " '" + outs[i].path + "' would overwrite the input " + in.flag +
                                    " '" + in.path + "'");
  }
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const OutputTarget t = resolve(path);
  if (t.kind != OutputKind::File) return write_direct(t, text.data(), text.size());
  TempFile tmp(t.resolved);
  if (const int err = write_all(tmp.fd(), text.data(), text.size()))
    throw std::runtime_error("cannot write '" + path + "': " + errno_text(err));
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
  // directory, then copy its bytes out.
  const char* dir = std::getenv("TMPDIR");
  TempFile tmp(std::string(dir && *dir ? dir : "/tmp") + "/slotsim-output");
  write(tmp.path());
  std::FILE* f = std::fopen(tmp.path().c_str(), "rb");
  if (!f) throw std::runtime_error("cannot read back '" + tmp.path() + "': " + errno_text(errno));
  std::string bytes;
  char buf[1 << 16];
  for (std::size_t r; (r = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.append(buf, r);
  std::fclose(f);
  write_direct(t, bytes.data(), bytes.size());
}

void check_image_name(const std::string& path) {
  const auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != "png" && ext != "bmp" && ext != "tga" && ext != "jpg" && ext != "jpeg")
    throw std::invalid_argument("screenshot '" + path + "': use a .png, .bmp, .tga or .jpg name");
}

}  // namespace slotsim::io
