#pragma once
// The limits of a run's configuration, and the one check against them.
//
// A configuration reaches a System from several sources: the CLI's flags,
// a restart snapshot's /slotsim attributes, the GUI's panels and scripts, a
// library caller. Each used to check what it thought of (the flags their
// ranges, the snapshot reader its types), so a snapshot could carry a
// thread count of 2^31 or a mesh size that wrapped around. Now every source
// ends in check_config, which names a field the way that source spells it
// (`--threads`, or `/slotsim/threads`), and the integer fields are range
// checked as 64-bit values before anything narrows them (check_int_field).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace slotsim {

struct SimConfig;

inline constexpr std::uint64_t kMaxParticles = 4294967295ull;  // ids are uint32
// OpenMP threads a run may ask for (--threads, OMP_NUM_THREADS, a
// snapshot's, the GUI script's `threads`): more than any machine slotsim
// targets, few enough that libgomp's per-thread stacks cannot exhaust
// memory. Larger teams are refused.
inline constexpr std::int64_t kMaxThreads = 256;
// A step counter, or a run's --steps, above this is refused: each step keeps
// a 72-byte record for the report, so the memory plan refuses far less; this
// bound keeps counters and their sums far from wrapping.
inline constexpr std::uint64_t kMaxSteps = 1000000000000ull;

// How a source spells a field, given the CLI flag that sets it ("--dt").
using FieldName = std::function<std::string(std::string_view flag)>;
inline std::string flag_name(std::string_view flag) { return std::string(flag); }

// Throws std::invalid_argument (one line, naming the field) unless every
// field of c is within the limits the CLI's flags enforce: dt positive and
// finite, softening finite and >= 0, theta finite, box finite and >= 0,
// threads 0..kMaxThreads, particles 1..kMaxParticles (unless they come from
// a file), a known solver whose parameters it accepts, and --python-objects
// only with a layout that holds heap objects.
void check_config(const SimConfig& c, const FieldName& name = flag_name);

// v in [lo, hi], else std::invalid_argument "NAME is V; expected LO to HI".
// For integers read as 64 bits (snapshot attributes) before they narrow.
std::int64_t check_int_field(std::int64_t v, std::int64_t lo, std::int64_t hi, const std::string& name);

// The OpenMP team size a run with `threads` (0 = default) will use, checked:
// an explicit count above kMaxThreads is refused, and so is an
// OMP_NUM_THREADS above it when threads is 0 (libgomp would try to start
// them all and crash); a machine with more cores than kMaxThreads is capped
// silently. Throws std::invalid_argument.
int checked_team_size(std::int64_t threads, const std::string& flag = "--threads");
// Sets the calling thread's OpenMP team size to checked_team_size(threads).
void apply_threads(std::int64_t threads, const std::string& flag = "--threads");

}  // namespace slotsim
