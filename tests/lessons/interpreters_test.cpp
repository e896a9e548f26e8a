// lessons/interpreters: what --python SPEC measures. `all` is tested on a
// fake tree (PATH folders, a pyenv root with shims and versions, a conda
// root), so the test needs no interpreter and finds the same ones anywhere.
#include "lessons/interpreters.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "sim/fixtures.hpp"

using namespace slotsim;
namespace fs = std::filesystem;

namespace {
void exe(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "#!/bin/sh\n";
  fs::permissions(p, fs::perms::owner_all);
}
}  // namespace

TEST_CASE("interpreters: no value is the python3 on PATH, a list is taken as given") {
  CHECK(interpreters_for("") == std::vector<std::string>{"python3"});
  CHECK(interpreters_for("python3.8,python3.10,/usr/bin/python3") ==
        std::vector<std::string>{"python3.8", "python3.10", "/usr/bin/python3"});
  CHECK(interpreters_for("a,a,b") == std::vector<std::string>{"a", "b"});
  CHECK_THROWS_WITH_AS(interpreters_for("a,,b"), "--python: an empty name in the list 'a,,b'", std::invalid_argument);
  CHECK_THROWS_AS(interpreters_for(","), std::invalid_argument);
}

TEST_CASE("interpreters: all finds PATH, pyenv and conda interpreters once each, skipping pyenv's shims") {
  testing::TempDir d;
  const fs::path root = d.file("t");
  const fs::path bin = root / "usr/bin", local = root / "local/bin";
  exe(bin / "python3.11");
  fs::create_symlink("python3.11", bin / "python3");  // one executable, two names
  exe(bin / "python3-config");                          // not an interpreter
  exe(bin / "python3.11m-config");
  exe(local / "python3.9");
  const fs::path pyenv = root / "pyenv";
  exe(pyenv / "shims/python3");  // a dispatching script: skipped
  exe(pyenv / "versions/2.7.18/bin/python");
  exe(pyenv / "versions/3.10.13/bin/python3");
  exe(pyenv / "versions/3.10.13/bin/python3.10");
  fs::create_directories(pyenv / "versions/empty/bin");
  const fs::path conda = root / "conda";
  exe(conda / "bin/python3");
  exe(conda / "envs/old/bin/python3");
  InterpreterSearch w;
  w.path = bin.string() + "::" + local.string() + ":" + (pyenv / "shims").string() + ":/nonexistent";
  w.pyenv_root = pyenv.string();
  w.extra_conda_roots = {conda.string()};
  const std::vector<std::string> found = find_interpreters(w);
  const std::vector<std::string> want = {(bin / "python3").string(),
                                         (local / "python3.9").string(),
                                         (pyenv / "versions/2.7.18/bin/python").string(),
                                         (pyenv / "versions/3.10.13/bin/python3").string(),
                                         (conda / "bin/python3").string(),
                                         (conda / "envs/old/bin/python3").string()};
  CHECK(found == want);
  // HOME/.pyenv when PYENV_ROOT is not set.
  InterpreterSearch h;
  h.home = root.string();
  fs::create_symlink(pyenv, root / ".pyenv");
  h.extra_conda_roots = {};
  CHECK(find_interpreters(h).size() == 2);
  InterpreterSearch none;
  none.extra_conda_roots = {};
  CHECK(find_interpreters(none).empty());
}
