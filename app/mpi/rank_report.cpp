#include "app/mpi/rank_report.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "sim/memory/tracker.hpp"
#include "sim/stats.hpp"

namespace slotsim::app::mpi {

RankRow rank_row(int rank, dist::DistSystem& sys, const std::vector<StepTiming>& steps, const dist::CommStats& setup,
                 const dist::CommStats& stepping, double spawn_ms) {
  RankRow r;
  r.rank = rank;
  ::gethostname(r.host, sizeof r.host - 1);
  r.particles = sys.local_size();
  const LayoutBytes b = sys.local().bytes();
  r.particle_bytes = double(b.total());
  r.particle_bytes_usable = double(b.usable_total);
  r.heap_peak = double(mem::heap_stats().peak_requested);
  r.rss = double(mem::rss_bytes());
  r.spawn_ms = spawn_ms;
  r.steps = steps.size();
  r.step_ms_median = step_stats(steps).median;
  r.phases_ms = phase_medians(steps);
  r.comm_bytes_sent = stepping.bytes_sent;
  r.comm_bytes_received = stepping.bytes_received;
  r.comm_calls = stepping.calls;
  r.comm_seconds = stepping.seconds;
  r.setup_bytes_received = setup.bytes_received;
  r.setup_comm_seconds = setup.seconds;
  return r;
}

void print_rank_table(const std::vector<RankRow>& rows, std::FILE* out) {
  std::string head = "| rank | host | particles | particle MB | B/particle | peak heap MB | RSS MB | step ms |";
  std::string rule = "|---:|---|---:|---:|---:|---:|---:|---:|";
  for (const StepPhase& p : kStepPhases) {
    head.append(" ").append(p.name).append(" |");
    rule += "---:|";
  }
  head += " comm MB/step (recv) | comm ms/step |";
  rule += "---:|---:|";
  std::fprintf(out, "per rank (phase times are medians; comm: bytes received and time in MPI calls, per step):\n%s\n%s\n",
              head.c_str(), rule.c_str());
  for (const auto& r : rows) {
    const double per = r.steps > 0 ? 1.0 / double(r.steps) : 0.0;
    std::fprintf(out, "| %d | %s | %llu | %.2f | %.1f | %.2f | %.2f | %.3f |", r.rank, r.host,
                static_cast<unsigned long long>(r.particles), r.particle_bytes / 1e6,
                r.particles ? r.particle_bytes / double(r.particles) : 0.0, r.heap_peak / 1e6, r.rss / 1e6,
                r.step_ms_median);
    for (double v : r.phases_ms) std::fprintf(out, " %.3f |", v);
    std::fprintf(out, " %.3f | %.3f |\n", double(r.comm_bytes_received) * per / 1e6, r.comm_seconds * 1e3 * per);
  }
}

Json ranks_json(const std::vector<RankRow>& rows) {
  Json a = Json::array();
  for (const auto& r : rows) {
    Json j;
    j["rank"] = r.rank;
    j["host"] = std::string(r.host);
    j["particles"] = r.particles;
    j["particle_bytes"] = r.particle_bytes;
    j["particle_bytes_usable"] = r.particle_bytes_usable;
    j["bytes_per_particle"] = r.particles ? r.particle_bytes / double(r.particles) : 0.0;
    j["heap_peak_bytes"] = r.heap_peak;
    j["rss_bytes"] = r.rss;
    j["spawn_ms"] = r.spawn_ms;
    j["steps"] = r.steps;
    j["step_ms_median"] = r.step_ms_median;
    j["phases_ms_median"] = phases_json(r.phases_ms);
    j["comm"] = {{"bytes_sent", r.comm_bytes_sent},
                 {"bytes_received", r.comm_bytes_received},
                 {"calls", r.comm_calls},
                 {"seconds", r.comm_seconds},
                 {"bytes_received_per_step", r.steps ? double(r.comm_bytes_received) / double(r.steps) : 0.0},
                 {"ms_per_step", r.steps ? r.comm_seconds * 1e3 / double(r.steps) : 0.0},
                 {"setup_bytes_received", r.setup_bytes_received},
                 {"setup_seconds", r.setup_comm_seconds}};
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace slotsim::app::mpi
