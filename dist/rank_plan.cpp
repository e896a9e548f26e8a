#include "dist/rank_plan.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "sim/layouts/errors.hpp"

namespace slotsim::dist {
namespace {

struct Row {
  char host[64];
  char phase[128];
  double peak, available;
  std::uint64_t particles;
  int node;  // index of this rank's node among the distinct hosts
};

}  // namespace

std::vector<RankPeak> check_rank_plans(Comm& comm, const MemoryPlan& mine, std::size_t particles,
                                       const std::string& what, bool dry_run) {
  Row row{};
  ::gethostname(row.host, sizeof row.host - 1);
  const PlanPhase& p = mine.peak();
  std::snprintf(row.phase, sizeof row.phase, "%s", p.name.c_str());
  row.peak = p.total();
  row.available = mine.available;
  row.particles = particles;
  const std::vector<Row> rows = comm.allgather(row);
  std::vector<std::string> hosts;
  std::vector<RankPeak> out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string h = rows[r].host;
    if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    out.push_back({int(r), h, rows[r].particles, rows[r].peak, rows[r].phase, 0, 0.9 * rows[r].available});
  }
  for (auto& a : out)
    for (const auto& b : out)
      if (a.host == b.host) a.node_total += b.peak;
  if (dry_run && comm.root()) {
    std::fputs(("rank 0's " + mine.describe()).c_str(), stdout);
    std::printf("\nper rank (ranks on one node share its memory):\n");
    std::printf("| rank | host | particles | peak | at phase | node total | node limit |\n|---:|---|---:|---:|---|---:|---:|\n");
    for (const auto& r : out)
      std::printf("| %d | %s | %zu | %s | %s | %s | %s |\n", r.rank, r.host.c_str(), r.particles,
                  human_bytes_plan(r.peak).c_str(), r.phase.c_str(), human_bytes_plan(r.node_total).c_str(),
                  r.node_limit > 0 ? human_bytes_plan(r.node_limit).c_str() : "unknown");
    std::fflush(stdout);
  }
  // The refusal: the first node over its limit, naming its largest rank.
  for (const auto& r : out) {
    if (r.node_limit <= 0 || r.node_total <= r.node_limit) continue;
    const RankPeak* big = &r;
    for (const auto& b : out)
      if (b.host == r.host && b.peak > big->peak) big = &b;
    int ranks = 0;
    for (const auto& b : out) ranks += b.host == r.host;
    throw AgreedError(1, what + " needs " + human_bytes_plan(r.node_total) + " on node " + r.host + " (" +
                             std::to_string(ranks) + " rank(s); rank " + std::to_string(big->rank) + " peaks at " +
                             human_bytes_plan(big->peak) + " at '" + big->phase + "') but its limit is " +
                             human_bytes_plan(r.node_limit) + " (90% of available); refused before allocating" +
                             " (--dry-run shows the plan)");
  }
  return out;
}

}  // namespace slotsim::dist
