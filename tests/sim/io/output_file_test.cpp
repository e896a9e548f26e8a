// sim/io/output_file.cpp: check_distinct_paths on the targets check_output
// resolved (each path's symlinks followed once, by check_output).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "sim/fixtures.hpp"
#include "sim/interrupt.hpp"
#include "sim/io/output_file.hpp"

using slotsim::io::check_distinct_paths;
using slotsim::io::check_output;
using slotsim::testing::TempDir;

TEST_CASE("output paths: a symlink is compared by its target, devices may repeat, stdout may not") {
  TempDir d;
  const std::string in = d.file("in.csv"), a = d.file("a.json"), link = d.file("link.json");
  std::ofstream(in) << "x\n";
  std::filesystem::create_symlink(a, link);  // dangling: a.json does not exist yet

  // Two names for one new file: found through the resolved form alone.
  CHECK_THROWS_WITH_AS(check_distinct_paths({{"--json", check_output(a, "--json")},
                                             {"--csv", check_output(link, "--csv")}}, {}),
                       doctest::Contains("--json and --csv name the same file"), std::invalid_argument);
  // A link to the input.
  std::filesystem::remove(link);
  std::filesystem::create_symlink(in, link);
  CHECK_THROWS_WITH_AS(check_distinct_paths({{"--json", check_output(link, "--json")}}, {{"--ic", in}}),
                       doctest::Contains("would overwrite the input --ic"), std::invalid_argument);

  CHECK_NOTHROW(check_distinct_paths({{"--json", check_output(a, "--json")},
                                      {"--csv", check_output(d.file("b.csv"), "--csv")}}, {{"--ic", in}, {"--restart", ""}}));
  // One stream cannot carry two documents.
  CHECK_THROWS_WITH_AS(check_distinct_paths({{"--json", check_output("-", "--json")}, {"--csv", check_output("-", "--csv")}},
                                            {{"--ic", "-"}}),
                       doctest::Contains("--json and --csv both write to stdout"), std::invalid_argument);
  CHECK_NOTHROW(check_distinct_paths({{"--json", check_output("-", "--json")}}, {{"--ic", "-"}}));
  CHECK_NOTHROW(check_distinct_paths({{"--json", check_output("/dev/null", "--json")},
                                      {"--csv", check_output("/dev/null", "--csv")}}, {}));
}

TEST_CASE("output files: the atomic write replaces the file whole, leaves no temporary, reports a bad path") {
  // The GUI's Compare export writes through this too (ui/overlay.cpp).
  const TempDir dir;
  const std::string p = dir.file("table.csv");
  slotsim::io::write_file_atomic(p, "first\n");
  slotsim::io::write_file_atomic(p, "second\n");
  CHECK(slotsim::testing::read_text(p) == "second\n");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    CAPTURE(e.path().string());
    ++entries;
  }
  CHECK(entries == 1);  // no NAME.tmp-XXXXXX left behind
  CHECK_THROWS_AS(slotsim::io::write_file_atomic(dir.file("no-such-dir/x.csv"), "x"), std::runtime_error);
  CHECK(slotsim::testing::read_text(p) == "second\n");
}

// Standard output swapped for `fd` while in scope (restored after), so that
// a test can give the process a pipe or a file as its stdout.
namespace {
struct StdoutAs {
  explicit StdoutAs(int fd) : saved(::dup(STDOUT_FILENO)) {
    std::fflush(stdout);
    ::dup2(fd, STDOUT_FILENO);
  }
  ~StdoutAs() {
    std::fflush(stdout);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
  }
  int saved;
};
}  // namespace

TEST_CASE("output paths: another name for stdout's pipe or file is stdout, a /proc fd link to a pipe is a device") {
  using slotsim::io::is_stdout;
  using slotsim::io::OutputKind;
  using slotsim::io::OutputTarget;
  TempDir d;
  // Everything is read while stdout is swapped and checked after, so that
  // doctest's own reports reach the real stdout.
  int p[2], q[2];
  REQUIRE(::pipe(p) == 0);
  REQUIRE(::pipe(q) == 0);
  const std::string other = "/dev/fd/" + std::to_string(q[1]);
  OutputTarget dev_stdout, fd1, pipe_other;
  bool named_stdout = false, dash = false, other_is_stdout = true;
  std::string two_on_stdout;
  {
    StdoutAs out(p[1]);
    dev_stdout = check_output("/dev/stdout", "--snapshot");
    fd1 = check_output("/dev/fd/1", "--json");
    named_stdout = is_stdout("/dev/stdout");
    dash = is_stdout("-");
    try {
      check_distinct_paths({{"--json", check_output("-", "--json")}, {"--snapshot", dev_stdout}}, {});
    } catch (const std::invalid_argument& e) {
      two_on_stdout = e.what();
    }
    pipe_other = check_output(other, "--csv");
    other_is_stdout = is_stdout(other);
  }
  for (int fd : {p[0], p[1], q[0], q[1]}) ::close(fd);
  // Through a pipe, /dev/stdout's link reads "pipe:[N]", which names no
  // file: it was taken for a new file beside it and failed after the run.
  CHECK(dev_stdout.kind == OutputKind::Stdout);
  CHECK(fd1.kind == OutputKind::Stdout);
  CHECK(named_stdout);
  CHECK(dash);
  CHECK(two_on_stdout.find("--json and --snapshot both write to stdout") != std::string::npos);
  // Another pipe, not stdout: written directly, by the name given.
  CHECK(pipe_other.kind == OutputKind::Device);
  CHECK(pipe_other.resolved == other);
  CHECK(!other_is_stdout);

  // Stdout redirected to a file: that file, by any name, is stdout too (a
  // report renamed over it would have replaced what else went there).
  const std::string f = d.file("out.txt");
  const int fd = ::open(f.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  bool file_is_stdout = false, dev_is_file = false, other_file = true;
  {
    StdoutAs out(fd);
    file_is_stdout = is_stdout(f);
    dev_is_file = is_stdout("/dev/stdout");
    other_file = is_stdout(d.file("other.txt"));
  }
  ::close(fd);
  CHECK(file_is_stdout);
  CHECK(dev_is_file);
  CHECK(!other_file);
  // Not stdout any more: a plain file again.
  CHECK(!is_stdout(f));
  CHECK(check_output(f, "--json").kind == OutputKind::File);
  // Character devices may take several outputs, stdout or not.
  CHECK(check_output("/dev/null", "--json").kind == OutputKind::Device);

  // Stdout closed (`>&-`): '-' would fail at the end of the run; said now.
  std::string closed;
  {
    std::fflush(stdout);
    const int saved = ::dup(STDOUT_FILENO);
    ::close(STDOUT_FILENO);
    try {
      check_output("-", "--json");
    } catch (const std::invalid_argument& e) {
      closed = e.what();
    }
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
  }
  CHECK(closed == "--json: '-': standard output is closed");
}

TEST_CASE("output files: a FIFO nobody reads gives way to a signal, one with a reader gets every byte") {
  // The open waits for a reader, and the handlers restart interrupted calls:
  // a run whose report went to a FIFO nobody read sat through SIGTERM.
  const TempDir dir;
  const std::string fifo = dir.fifo("report.fifo");
  slotsim::set_interrupt_for_test(SIGTERM);
  CHECK_THROWS_WITH_AS(slotsim::io::write_file_atomic(fifo, "x"), doctest::Contains("no reader opened this FIFO"),
                       slotsim::io::OutputError);
  CHECK_THROWS_WITH_AS(slotsim::io::write_file_atomic_with(fifo, [](const std::string& tmp) {
                         slotsim::io::write_file_atomic(tmp, "x");
                       }),
                       doctest::Contains("no reader opened this FIFO"), slotsim::io::OutputError);
  slotsim::set_interrupt_for_test(0);
  // With a reader that comes late (the writer waits for it) and more than a
  // pipe holds (the descriptor must be blocking again for the write).
  const std::string text(1 << 20, 'a');
  std::string got;
  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    got = slotsim::testing::read_text(fifo);
  });
  slotsim::io::write_file_atomic(fifo, text);
  reader.join();
  CHECK(got == text);
}
