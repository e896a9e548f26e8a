#pragma once
// Which Python interpreters `bench --claims --python [SPEC]` measures:
//   (no value)    the python3 on PATH
//   a,b,c         those, as given (a bare name is looked up on PATH)
//   all           every interpreter installed: python, python2[.N] and
//                 python3[.N] on PATH, and the usual version managers'
//                 folders (pyenv: $PYENV_ROOT or ~/.pyenv/versions/*;
//                 conda: $CONDA_PREFIX, ~/miniconda3, ~/anaconda3,
//                 ~/miniforge3, /opt/conda, and their envs/*)
// Each is measured once (measure_objects.py in a child, lessons/cpython.hpp);
// the two names of one executable (/usr/bin/python3 -> python3.11) count
// once. pyenv's shims are skipped: each is a script that runs one of the
// versions found in pyenv's folder anyway.
#include <string>
#include <vector>

namespace slotsim {

// The interpreters SPEC names, in order, duplicates dropped. Throws
// std::invalid_argument (one line) for an empty name in a list.
std::vector<std::string> interpreters_for(const std::string& spec);

// Where `all` looks. `path` is a PATH-style list; `home`, `pyenv_root` and
// `conda_prefix` may be empty. Separate so tests can point it at a fake tree.
struct InterpreterSearch {
  std::string path, home, pyenv_root, conda_prefix;
  std::vector<std::string> extra_conda_roots = {"/opt/conda"};
  static InterpreterSearch from_environment();
};
std::vector<std::string> find_interpreters(const InterpreterSearch& where);

}  // namespace slotsim
