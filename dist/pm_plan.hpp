#pragma once
// pm's imports in the memory plan. Each rank receives the particles of its
// buckets (its planes' and the one below's), wherever they are stored: an
// even split of the particles is not an even split of the mesh, and a
// centrally concentrated system (a Plummer sphere) crowds the central
// slabs, whose ranks import many times their share. Counted exactly from
// the particles' positions, with the solver's own placement.
#include <cstdint>
#include <vector>

#include "dist/comm.hpp"
#include "sim/memory_plan.hpp"
#include "sim/system.hpp"

namespace slotsim::dist {

// pm's split of its n x-planes over the ranks: rank r owns planes
// pm_plane(n, P, r) .. pm_plane(n, P, r + 1) - 1 (the same even split is
// used for its kz blocks).
inline int pm_plane(int n, int ranks, int r) { return static_cast<int>(static_cast<long long>(n) * r / ranks); }

// Bytes per imported particle: the received record, its columns, the
// sorted records and the result (dist/pm_solver.cpp).
inline constexpr double kPmImportBytes = 128;

// Collective: every rank's imports, from each rank's particles.
std::vector<std::uint64_t> pm_imports(Comm& comm, const ForceParams& p, const Sources& local);
// Every rank's imports for a fresh run of cfg.scene on `ranks` ranks, by
// streaming the scene twice (centre of mass and extent, then cells); no
// particle is stored, no communication (each rank computes all of them).
std::vector<std::uint64_t> pm_imports_of_scene(const SimConfig& cfg, int ranks);
// The plan's item for one rank's imports.
PlanItem pm_import_item(std::uint64_t imports, std::uint64_t share);

}  // namespace slotsim::dist
