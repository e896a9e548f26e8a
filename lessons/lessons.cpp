#include "lessons/lessons.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <tuple>

#include "lessons/inheritance.hpp"
#include "lessons/python_model.hpp"
#include "sim/layouts/particle_store.hpp"

namespace slotsim {
namespace {

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

ParticleStore make(Layout l, std::size_t n) {
  ParticleStore s(l);
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i) s.push(ParticleRecord{double(i), 1, 2, 3, 4, 5, 1});
  return s;
}

double per(const ParticleStore& s) { return double(s.bytes().total()) / double(s.size()); }
double tables_per(const ParticleStore& s) { return double(s.bytes().tables) / double(s.size()); }

// One sweep reading x, y, z of every particle; returns a checksum so the
// loads cannot be dropped.
template <class S>
double sweep_read(const S& s) {
  double acc = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    acc += s.template get<X>(i) + s.template get<Y>(i) + s.template get<Z>(i);
  return acc;
}
// One sweep of p.x += 1 for x, y, z: what an update costs (a read and a
// store through the layout's own access path).
template <class S>
void sweep_update(S& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    s.template set<X>(i, s.template get<X>(i) + 1.0);
    s.template set<Y>(i, s.template get<Y>(i) + 1.0);
    s.template set<Z>(i, s.template get<Z>(i) + 1.0);
  }
}

// CPU time of the calling thread, in ns. Wall time was rejected: on a
// loaded machine (2 cores shared by several builds) a block's wall time is
// mostly the time the thread waited for a core, which says nothing about
// the layout. Thread CPU time counts only the time it ran; cache and
// memory-bandwidth contention from the neighbours still shows, and the
// load warning says when there was any.
double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

// ns per attribute access of `sweeps` sweeps over the store.
double timed(ParticleStore& s, bool update, int sweeps) {
  volatile double sink = 0;
  const double t0 = thread_cpu_ns();
  for (int k = 0; k < sweeps; ++k) {
    if (update)
      s.visit([](auto& st) { sweep_update(st); });
    else
      sink = sink + s.visit([](const auto& st) { return sweep_read(st); });
  }
  return (thread_cpu_ns() - t0) / (3.0 * double(s.size()) * sweeps);
}

// Sweeps that make one block last ~10 ms (timer resolution and one
// interrupt small against it).
int sweeps_for(ParticleStore& s) {
  const double ns = timed(s, false, 1);  // also warms caches and page tables
  const double sweep_ms = ns * 3.0 * double(s.size()) / 1e6;
  return std::clamp(int(10.0 / std::max(sweep_ms, 1e-3)), 1, 1000);
}

// Every model against slots, reads and updates, in interleaved pairs (the
// verdict rule's measurement, lessons/verdict.hpp): in each round every
// model is timed beside slots, A B in even rounds and B A in odd ones, so
// a change of machine load hits both sides of a pair alike.
void time_models(ParticleStore& slots, std::vector<ParticleStore*>& models, std::vector<ModelFigures*>& figs,
                 SlotsFigures& sf, int pairs) {
  const int s_sweeps = sweeps_for(slots);
  std::vector<int> m_sweeps;
  for (ParticleStore* m : models) m_sweeps.push_back(sweeps_for(*m));
  const std::size_t M = models.size();
  std::vector<std::vector<double>> ra(M), rb(M), ua(M), ub(M);
  std::vector<double> s_read, s_update;
  for (int p = 0; p < pairs; ++p)
    for (std::size_t k = 0; k < M; ++k)
      for (bool update : {false, true}) {
        double a, b;
        if (p % 2 == 0) {
          a = timed(*models[k], update, m_sweeps[k]);
          b = timed(slots, update, s_sweeps);
        } else {
          b = timed(slots, update, s_sweeps);
          a = timed(*models[k], update, m_sweeps[k]);
        }
        (update ? ua : ra)[k].push_back(a);
        (update ? ub : rb)[k].push_back(b);
        (update ? s_update : s_read).push_back(b);
      }
  sf.read_ns = spread_of(s_read);
  sf.update_ns = spread_of(s_update);
  for (std::size_t k = 0; k < M; ++k) {
    figs[k]->read = decide_faster(ra[k], rb[k]);
    figs[k]->update = decide_faster(ua[k], ub[k]);
    figs[k]->read_ns = spread_of(ra[k]);
    figs[k]->update_ns = spread_of(ua[k]);
  }
}

// The dicts-alone figure for 10,000,000 instances of layout `l`: built for
// real when asked and memory allows, else extrapolated from the sample.
void ten_million(ModelFigures& m, Layout l, const ParticleStore& sample, const LessonOptions& o) {
  const double tables_pp = tables_per(sample);
  const double need = measured_bytes_per_particle(l) * double(o.big);
  const bool fits = double(mem::available_bytes()) > 1.5 * need;
  double tables, total;
  if (o.build_big && fits) {
    const ParticleStore big = make(l, o.big);
    tables = double(big.bytes().tables);
    total = double(big.bytes().total());
    m.ten_m_how = fmt("built %.0f instances: dicts %.3f GB (all instance memory %.3f GB)", double(o.big), tables / 1e9,
                      total / 1e9);
  } else {
    tables = tables_pp * double(o.big);
    total = per(sample) * double(o.big);
    m.ten_m_how = fmt("%.0f B of dict per instance at N=%zu x %.0f: dicts %.3f GB (all instance memory %.3f GB)%s",
                      tables_pp, sample.size(), double(o.big) / double(sample.size()), tables / 1e9, total / 1e9,
                      o.build_big ? "; not built: not enough free memory" : "");
  }
  m.ten_m_dict_bytes = tables / double(o.big) * 1e7;
  if (o.big != 10000000) m.ten_m_how += fmt("; scaled to 10,000,000: %.2f GB", m.ten_m_dict_bytes / 1e9);
}

std::string spread_text(const Spread& s) { return fmt("%.2f ns (%.2f-%.2f)", s.median, s.min, s.max); }

// ---------------------------------------------------------------------------
// Cells and verdict wording.
// ---------------------------------------------------------------------------

// "on CPython 3.3-3.10 (model)" / "on CPython 3.10.13".
std::string scope_of(const ClaimCell& c) {
  return c.measured ? "on CPython " + c.stands_for : "on " + c.stands_for + " (model)";
}

void decide(ClaimCell& c, Outcome o, const std::string& headline, const std::string& reason = "") {
  c.available = true;
  c.outcome = o;
  c.headline = headline;
  c.verdict = outcome_text(o) + " " + scope_of(c) + (headline.empty() && reason.empty() ? "" : ": ") + headline +
              (reason.empty() ? "" : (headline.empty() ? "" : ", ") + reason);
}

ClaimCell model_cell(const ModelFigures& m) {
  ClaimCell c;
  c.column = m.layout;
  c.stands_for = m.stands_for;
  if (!m.available) {
    c.text = "n/a (layout not built)";
    c.verdict = "n/a";
  }
  return c;
}

ClaimCell missing(const InterpreterRun& r) {
  ClaimCell c;
  c.column = r.python;
  c.stands_for = r.python;
  c.measured = true;
  c.text = "not measured: " + r.error;
  c.verdict = "n/a";
  return c;
}

constexpr double kLectureThree = 260.0 / 56.0;  // ~260 B -> ~56 B

// The byte claims, decided the same way for a model and an interpreter.
Outcome saving_outcome(double r) { return r >= 3 ? Outcome::Holds : Outcome::DoesNotHold; }
std::string saving_reason(double r) {
  return r >= 3 ? (r > 4 ? "more than the lecture's 3-4x" : "") : "below the lecture's 3-4x";
}
Outcome three_outcome(double r) { return r >= kLectureThree * 0.75 ? Outcome::Holds : Outcome::DoesNotHold; }
std::string three_reason(double r) {
  return r >= kLectureThree * 0.75 ? "" : fmt("not the lecture's %.1fx", kLectureThree);
}
Outcome ten_m_outcome(double bytes) { return bytes > 2e9 ? Outcome::Holds : Outcome::DoesNotHold; }

std::string speed_headline(const PairedVerdict& r, const PairedVerdict& u) {
  return fmt("reads %.2fx, updates %.2fx", r.ratio, u.ratio);
}
std::string speed_detail(const PairedVerdict& r, const PairedVerdict& u) {
  return "reads " + r.text + ", updates " + u.text;
}

struct ClaimText {
  const char* id;
  const char* claim;
  const char* lecture;
  const char* why;
};

// The lecture's order; `why` is the plain-language note the Lessons panel
// and the report show: what changed in CPython, and in which version. It
// states mechanisms only, never a speed outcome: the verdict beside it is
// the measured answer, so the two cannot contradict each other.
constexpr ClaimText kClaims[kNumClaims] = {
    {"dict_empty", "every instance pays for its own __dict__ before it stores anything",
     "one dict object per instance, 232 B",
     "Up to 3.10 every instance with attributes has a dict object of its own (from 3.3 its keys are shared with "
     "the class, PEP 412, so the dict holds only a values array). Since 3.11 there is no dict object until "
     "something reads __dict__: the values sit in a small array the object points to (3.11, 3.12) or inside the "
     "object itself (3.13)."},
    {"slots_saving", "__slots__ saves 3-4x memory per instance", "3-4x",
     "Key sharing (3.3) already cut a plain instance's dict to a values array; 3.11 dropped the dict object too, "
     "so the gap to __slots__ shrank from a hash table per instance to tens of bytes. The boxed floats (24 B "
     "each) cost the same in both."},
    {"three_fields", "a three-field record: ~260 B with __dict__ -> ~56 B with __slots__", "~260 B -> ~56 B",
     "The 260 B counts an instance plus a dict of its own. Since 3.3 that dict shares its keys (a 40-B values "
     "array instead of a table), and since 3.11 it is never built unless __dict__ is read."},
    {"access_speed", "attribute access is faster on slotted instances (fixed offset, no hash probe)", "slots faster",
     "A slot is read at a fixed offset. A plain instance's o.x was a hash probe in its dict up to 3.9; 3.10 "
     "caches the position for split dicts, and 3.11's specialising interpreter (PEP 659) loads it from the "
     "values at a fixed index (LOAD_ATTR_INSTANCE_VALUE), until __dict__ has been read. Whether that leaves a "
     "difference on this machine is the measured verdict."},
    {"attribute_error", "setting an undeclared attribute on a slotted instance raises AttributeError",
     "AttributeError",
     "Unchanged in every version: a class with __slots__ and no '__dict__' has nowhere to put a new name."},
    {"inheritance", "one class in the chain without __slots__ brings the __dict__ back", "__dict__ comes back",
     "Unchanged as a rule. Since 3.11 what comes back is the plain class's values array with shared keys, far "
     "cheaper than a classic dict until __dict__ is read."},
    {"escape_hatch", "'__dict__' in __slots__ allows new attributes, paid only by instances that use it",
     "new attributes allowed, free while unused",
     "Up to 3.10 the escape hatch is one pointer per instance until used. 3.11 and 3.12 give every such instance "
     "an empty values array up front; 3.13 a pre-header only."},
    {"ten_million", "10,000,000 instances with __dict__ need more than 2 GB for the dicts alone", "> 2 GB",
     "With shared keys (3.3-3.10) 10M dicts are a dict object and a values array each; without a dict object "
     "(3.11+) only the values arrays remain, and reading __dict__ on every instance brings the dict objects back."},
};

// ---------------------------------------------------------------------------
// The interpreter columns.
// ---------------------------------------------------------------------------

std::string gb(double b) { return fmt("%.2f GB", b / 1e9); }

void measured_cell(ClaimCell& c, const std::string& id, const CPythonFigures& f) {
  const CPythonShape* p3 = f.shape(3, "plain");
  const CPythonShape* s3 = f.shape(3, "slots");
  const CPythonShape* p7 = f.shape(7, "plain");
  const CPythonShape* s7 = f.shape(7, "slots");
  const CPythonShape* sd3 = f.shape(3, "slots_dict");
  if (id == "dict_empty") {
    // An instance with attributes: does reading __dict__ allocate? If not,
    // the dict was there already.
    const double read7 = p7->distinct_touched ? *p7->distinct_touched - p7->distinct_untouched : 0;
    const double read0 = f.empty_plain_touched ? *f.empty_plain_touched - f.empty_plain_untouched : 0;
    const bool own = read7 <= 8;
    c.text = fmt("7 fields: reading __dict__ adds %.0f B (%s); an empty instance %.0f B, reading its __dict__ adds "
                 "%.0f B; getsizeof(p.__dict__) %.0f B for 7 fields (tracemalloc, N=%lld)",
                 read7, own ? "the dict was there" : "none before", f.empty_plain_untouched, read0,
                 p7->getsizeof_dict.value_or(0), f.instances);
    decide(c, own ? Outcome::Holds : Outcome::DoesNotHold, fmt("+%.0f B on reading __dict__", read7),
           own ? "" : "no dict object until __dict__ is read");
  } else if (id == "slots_saving") {
    const double rs = p7->shared_untouched / s7->shared_untouched;
    const double rd = p7->distinct_untouched / s7->distinct_untouched;
    c.text = fmt("7 fields: %.0f vs %.0f B = %.2fx with shared floats; %.0f vs %.0f B = %.2fx with distinct floats",
                 p7->shared_untouched, s7->shared_untouched, rs, p7->distinct_untouched, s7->distinct_untouched, rd);
    if (p7->shared_touched) c.text += fmt("; %.2fx after reading __dict__", *p7->shared_touched / s7->shared_untouched);
    decide(c, saving_outcome(rs), fmt("%.2fx", rs), saving_reason(rs));
  } else if (id == "three_fields") {
    const double r = p3->distinct_untouched / s3->distinct_untouched;
    c.text = fmt("%.0f B -> %.0f B (%.2fx) with distinct floats", p3->distinct_untouched, s3->distinct_untouched, r);
    if (p3->distinct_touched && *p3->distinct_touched != p3->distinct_untouched)
      c.text += fmt("; %.0f B after reading __dict__ (%.2fx)", *p3->distinct_touched,
                    *p3->distinct_touched / s3->distinct_untouched);
    c.text += fmt("; getsizeof %.0f B (+ its __dict__ %.0f B) vs %.0f B", p3->getsizeof_instance,
                  p3->getsizeof_dict.value_or(0), s3->getsizeof_instance);
    decide(c, three_outcome(r), fmt("%.0f -> %.0f B, %.2fx", p3->distinct_untouched, s3->distinct_untouched, r),
           three_reason(r));
  } else if (id == "access_speed") {
    const SpeedVerdict v = speed_verdict(f);
    const Spread ra = spread_of(f.comparison("read")->a_ns), rb = spread_of(f.comparison("read")->b_ns);
    const Spread ua = spread_of(f.comparison("update")->a_ns), ub = spread_of(f.comparison("update")->b_ns);
    c.text = fmt("read %s vs slots %s; update %s vs slots %s", spread_text(ra).c_str(), spread_text(rb).c_str(),
                 spread_text(ua).c_str(), spread_text(ub).c_str());
    if (f.comparison("read_touched")) {
      const SpeedVerdict t = speed_verdict(f, true);
      c.text += "; after reading __dict__: " + outcome_text(t.outcome) + ", " + speed_detail(t.read, t.update);
    }
    c.text += fmt("; unrolled loop alone %.2f ns; %s", f.loop_overhead_ns, f.timing_method.c_str());
    decide(c, v.outcome, speed_headline(v.read, v.update), speed_detail(v.read, v.update));
  } else if (id == "attribute_error") {
    c.text = f.attr_error_raised ? f.attr_error_type + ": " + f.attr_error_message : "(no error)";
    decide(c, f.attr_error_raised ? Outcome::Holds : Outcome::DoesNotHold, f.attr_error_raised ? "raised" : "not raised");
  } else if (id == "inheritance") {
    c.text = fmt("subclass has __dict__: %s; +%.0f B per instance over the slotted class", f.subclass_has_dict ? "yes" : "no",
                 f.inherit_extra_untouched);
    if (f.inherit_extra_touched) c.text += fmt(" (+%.0f B after reading __dict__)", *f.inherit_extra_touched);
    decide(c, f.subclass_has_dict ? Outcome::Holds : Outcome::DoesNotHold, fmt("+%.0f B", f.inherit_extra_untouched));
  } else if (id == "escape_hatch" && sd3) {
    const bool h = f.hatch_allows && f.hatch_unused <= 8;
    c.text = fmt("new attributes %s; %.0f B per instance while unused (3 fields, vs slotted); the first extra "
                 "attribute adds %.0f B per instance",
                 f.hatch_allows ? "allowed" : "refused", f.hatch_unused, f.hatch_added);
    decide(c, h ? Outcome::Holds : Outcome::DoesNotHold, fmt("%.0f B while unused", f.hatch_unused),
           h ? "" : !f.hatch_allows ? "refused" : "every instance pays it, used or not");
  } else if (id == "ten_million") {
    c.text = fmt("dicts alone (plain - slotted, 7 fields, distinct floats): %s, %s after reading __dict__ on all; "
                 "all instance memory %s (%s)",
                 gb(f.ten_m_dict_untouched).c_str(), gb(f.ten_m_dict_touched).c_str(), gb(f.ten_m_all).c_str(),
                 f.ten_m_scaling.c_str());
    decide(c, ten_m_outcome(f.ten_m_dict_untouched), gb(f.ten_m_dict_untouched),
           f.ten_m_dict_untouched > 2e9 ? "" : "below 2 GB");
  }
}

// Measured interpreters grouped by outcome, and within it by figure
// ("does not hold on CPython 3.8.18-3.10.13 (2.18x), 3.11.2-3.11.7
// (1.55x)"), then the models.
void summarize(Lesson& l) {
  std::string s;
  for (Outcome o : {Outcome::Holds, Outcome::DoesNotHold, Outcome::Unresolved}) {
    std::vector<std::pair<std::string, std::vector<std::string>>> by_head;  // first-seen order
    for (const ClaimCell& c : l.measured) {
      if (!c.available || c.outcome != o) continue;
      auto it = std::find_if(by_head.begin(), by_head.end(), [&](const auto& e) { return e.first == c.headline; });
      if (it == by_head.end()) by_head.push_back({c.headline, {c.stands_for}});
      else it->second.push_back(c.stands_for);
    }
    if (by_head.empty()) continue;
    std::string groups;
    for (const auto& [head, versions] : by_head)
      groups += (groups.empty() ? "" : ", ") + version_ranges(versions) + (head.empty() ? "" : " (" + head + ")");
    s += (s.empty() ? "" : "; ") + outcome_text(o) + " on CPython " + groups;
  }
  if (s.empty()) s = "no interpreter measured";
  std::string m;
  for (const ClaimCell& c : l.models)
    if (c.available)
      m += (m.empty() ? "" : ", ") + c.column + " (" + c.stands_for + ") " + outcome_text(c.outcome) +
           (c.headline.empty() ? "" : " " + c.headline);
  l.summary = "measured: " + s + (m.empty() ? "" : ". slotsim models: " + m);
}

bool version_less(const CPythonFigures& a, const CPythonFigures& b) {
  auto micro = [](const CPythonFigures& f) {
    const std::size_t p = f.version.rfind('.');
    return p == std::string::npos ? 0 : std::atoi(f.version.c_str() + p + 1);
  };
  if (a.major != b.major) return a.major < b.major;
  if (a.minor != b.minor) return a.minor < b.minor;
  if (micro(a) != micro(b)) return micro(a) < micro(b);
  return a.executable < b.executable;
}

// The lecture's figures, and what each is, from the interpreters measured.
std::string lecture_note(const std::string& id, const std::vector<InterpreterRun>& runs) {
  std::vector<const CPythonFigures*> ok;
  for (const InterpreterRun& r : runs)
    if (r.ok) ok.push_back(&r.figures);
  // Groups "value: versions" for one figure per interpreter.
  auto grouped = [&](auto value, const char* unit) {
    std::map<double, std::string> by;
    for (const CPythonFigures* f : ok) {
      const double v = value(*f);
      if (v < 0) continue;
      std::string& s = by[std::round(v * 100) / 100];
      s += (s.empty() ? "" : ", ") + f->version;
    }
    std::string out;
    for (const auto& [v, vs] : by) out += (out.empty() ? "" : "; ") + fmt("%.4g%s on %s", v, unit, vs.c_str());
    return out;
  };
  if (ok.empty()) return "";
  if (id == "dict_empty") {
    std::string has;
    for (const CPythonFigures* f : ok)
      if (f->small_dict(1) == 232.0) has += (has.empty() ? "" : ", ") + f->version;
    return "232 B = sys.getsizeof of a dict with 1 to 5 keys built by a literal ({'a': 1}) on CPython 3.8-3.10; "
           "measured here, {'k0': 0}: " +
           grouped([](const CPythonFigures& f) { return f.small_dict(1).value_or(-1); }, " B") +
           ". An instance's own __dict__ is not that dict: getsizeof(p.__dict__) for 3 fields: " +
           grouped([](const CPythonFigures& f) {
             const CPythonShape* s = f.shape(3, "plain");
             return s && s->getsizeof_dict ? *s->getsizeof_dict : -1.0;
           }, " B") +
           (has.empty() ? ". No interpreter measured here gives 232 B." : ".");
  }
  if (id == "three_fields") {
    // ~56: the slotted instance's getsizeof; ~260: the nearest figure any
    // way of counting gives for the plain 3-field instance.
    std::string near;
    double best = 1e300;
    for (const CPythonFigures* f : ok) {
      const CPythonShape* p = f->shape(3, "plain");
      if (!p) continue;
      const std::pair<const char*, double> ways[] = {
          {"getsizeof(p) + getsizeof(p.__dict__)", p->getsizeof_instance + p->getsizeof_dict.value_or(0)},
          {"tracemalloc, distinct floats", p->distinct_untouched},
          {"tracemalloc, distinct floats, __dict__ read", p->distinct_touched.value_or(-1)},
          {"getsizeof(p) + getsizeof({'a': 1, 'b': 2, 'c': 3})", p->getsizeof_instance + f->small_dict(5).value_or(-1e9)}};
      for (const auto& [how, v] : ways)
        if (v > 0 && std::fabs(v - 260) < best) {
          best = std::fabs(v - 260);
          near = fmt("%s on %s = %.0f B", how, f->version.c_str(), v);
        }
    }
    return "~56 B = sys.getsizeof of a 3-field slotted instance: " +
           grouped([](const CPythonFigures& f) {
             const CPythonShape* s = f.shape(3, "slots");
             return s ? s->getsizeof_instance : -1.0;
           }, " B") +
           ". ~260 B matches no single way of counting on the interpreters measured; the nearest is " + near + ".";
  }
  if (id == "slots_saving")
    return "3-4x is not what tracemalloc gives for 7 fields (plain / slotted, shared floats): " +
           grouped([](const CPythonFigures& f) { return f.shape(7, "plain")->shared_untouched / f.shape(7, "slots")->shared_untouched; },
                   "x") +
           "; with getsizeof (instance + its __dict__, 3 fields, over the slotted instance): " +
           grouped([](const CPythonFigures& f) {
             const CPythonShape* p = f.shape(3, "plain");
             return (p->getsizeof_instance + p->getsizeof_dict.value_or(0)) / f.shape(3, "slots")->getsizeof_instance;
           }, "x") +
           ".";
  if (id == "ten_million")
    return "> 2 GB = 10,000,000 x a small dict's getsizeof (232 B: 2.32 GB). tracemalloc, the dicts alone "
           "(plain - slotted, 7 fields): " +
           grouped([](const CPythonFigures& f) { return f.ten_m_dict_untouched / 1e9; }, " GB") + ".";
  return "";
}

}  // namespace

// ---------------------------------------------------------------------------

double load_average() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  if (!(f >> l)) return -1;
  return l;
}
int online_cpus() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)); }

bool MachineLoad::loaded() const {
  if (cpus <= 0) return false;
  // Others' load is `before`, and `after` minus our own thread. One core
  // for us is all a single-threaded timing needs; more than the other
  // cores' worth of other work means we shared ours.
  const double others = std::max(before, after - 1.0);
  return others > double(cpus) - 1.0 + 0.5;
}
std::string MachineLoad::warning() const {
  if (!loaded()) return "";
  return fmt("warning: the machine was loaded while measuring (load average %.2f before, %.2f after, %d CPUs): "
             "a timing verdict may come out as 'no difference this machine can resolve'",
             before, after, cpus);
}

std::vector<Layout> plain_models() {
  // The eras in time order, whatever their places in the layout table.
  std::vector<Layout> v;
  for (std::string_view n : {"dict", "split-keys", "shared-keys"})
    if (auto l = parse_layout(n)) v.push_back(*l);
  return v;
}

SpeedVerdict speed_verdict(const CPythonFigures& f, bool touched) {
  SpeedVerdict v;
  const auto* r = f.comparison(touched ? "read_touched" : "read");
  const auto* u = f.comparison(touched ? "update_touched" : "update");
  if (!r || !u) {
    v.text = "not measured";
    return v;
  }
  // The process is the unit (lessons/verdict.hpp): a document from one
  // process decides nothing, however tight its pairs.
  v.read = decide_faster_by_process(r->by_process());
  v.update = decide_faster_by_process(u->by_process());
  v.outcome = both(v.read.outcome, v.update.outcome);
  v.text = outcome_text(v.outcome) + ": " + speed_detail(v.read, v.update);
  return v;
}

std::vector<Lesson> build_lessons(const std::vector<ModelFigures>& models, const SlotsFigures& s,
                                  const MachineLoad& load) {
  std::vector<Lesson> out;
  for (const ClaimText& ct : kClaims) {
    Lesson l;
    l.id = ct.id;
    l.claim = ct.claim;
    l.lecture = ct.lecture;
    l.why = ct.why;
    const std::string id = ct.id;
    for (const ModelFigures& m : models) {
      ClaimCell c = model_cell(m);
      if (!m.available) {
        l.models.push_back(c);
        continue;
      }
      if (id == "dict_empty") {
        const double d = m.dict_bytes_untouched;
        c.text = fmt("%.0f B of per-instance dict per instance (7 attributes) before any __dict__ read", d);
        if (m.layout == "dict") c.text += fmt("; an instance with no attributes: %.0f B", s.empty_dict);
        if (m.dict_bytes_touched) c.text += fmt("; after reading __dict__: %.0f B", *m.dict_bytes_touched);
        decide(c, d > 16 ? Outcome::Holds : Outcome::DoesNotHold, fmt("%.0f B", d),
               d > 16 ? "" : "no dict object per instance until __dict__ is read");
      } else if (id == "slots_saving") {
        const double r = m.bytes_per_instance / s.bytes_per_instance;
        c.text = fmt("%.0f B vs slots %.0f B per instance (7 attributes): %.2fx", m.bytes_per_instance,
                     s.bytes_per_instance, r);
        if (m.bytes_touched && *m.bytes_touched != m.bytes_per_instance)
          c.text += fmt("; %.2fx after reading __dict__", *m.bytes_touched / s.bytes_per_instance);
        decide(c, saving_outcome(r), fmt("%.2fx", r), saving_reason(r));
      } else if (id == "three_fields") {
        const double r = m.three_bytes / s.three_bytes;
        c.text = fmt("%.0f B -> %.0f B (%.2fx), by the layout's rules for 3 fields; CPython's figures add object and "
                     "GC headers and boxed floats that the default model does not allocate",
                     m.three_bytes, s.three_bytes, r);
        decide(c, three_outcome(r), fmt("%.2fx", r), three_reason(r));
      } else if (id == "access_speed") {
        c.text = fmt("read %s vs slots %s; update %s vs slots %s", spread_text(m.read_ns).c_str(),
                     spread_text(s.read_ns).c_str(), spread_text(m.update_ns).c_str(), spread_text(s.update_ns).c_str());
        decide(c, both(m.read.outcome, m.update.outcome), speed_headline(m.read, m.update), speed_detail(m.read, m.update));
        l.warning = load.warning();
      } else if (id == "attribute_error") {
        c.text = s.attr_error + " (the slotted layout: the same for every model)";
        decide(c, s.attr_error_raised ? Outcome::Holds : Outcome::DoesNotHold, s.attr_error_raised ? "raised" : "not raised");
      } else if (id == "inheritance") {
        const double d = s.inherit_after - s.inherit_before;
        c.text = fmt("%.0f B -> %.0f B per instance when a subclass without __slots__ sets one attribute "
                     "(slotsim's slots+dict: the same for every model)",
                     s.inherit_before, s.inherit_after);
        decide(c, d > 64 ? Outcome::Holds : Outcome::DoesNotHold, fmt("+%.0f B", d));
      } else if (id == "escape_hatch") {
        const bool h = s.hatch_unused <= 8 && s.hatch_one > 0;
        c.text = fmt("%.0f B per instance while unused; the first extra attribute on one instance adds %.0f B to that "
                     "instance only (slotsim's slots+dict: the same for every model)",
                     s.hatch_unused, s.hatch_one);
        decide(c, h ? Outcome::Holds : Outcome::DoesNotHold, fmt("%.0f B while unused", s.hatch_unused));
      } else if (id == "ten_million") {
        c.text = m.ten_m_how;
        decide(c, ten_m_outcome(m.ten_m_dict_bytes), gb(m.ten_m_dict_bytes),
               m.ten_m_dict_bytes > 2e9 ? "" : "below 2 GB");
      }
      l.models.push_back(std::move(c));
    }
    summarize(l);
    out.push_back(std::move(l));
  }
  return out;
}

void set_interpreter_columns(std::vector<Lesson>& rows, std::vector<InterpreterRun> runs) {
  std::stable_sort(runs.begin(), runs.end(), [](const InterpreterRun& a, const InterpreterRun& b) {
    if (a.ok != b.ok) return a.ok;
    return a.ok && version_less(a.figures, b.figures);
  });
  for (Lesson& l : rows) {
    l.measured.clear();
    for (const InterpreterRun& r : runs) {
      if (!r.ok) {
        l.measured.push_back(missing(r));
        continue;
      }
      ClaimCell c;
      c.column = "CPython " + r.figures.version;
      c.stands_for = r.figures.version;
      c.measured = true;
      measured_cell(c, l.id, r.figures);
      l.measured.push_back(std::move(c));
    }
    l.lecture_note = lecture_note(l.id, runs);
    if (l.id == "access_speed") {
      std::string w;
      for (const InterpreterRun& r : runs)
        if (r.ok) {
          const std::string lw = MachineLoad{r.figures.load_before, r.figures.load_after, r.figures.cpus}.warning();
          if (!lw.empty()) w = "CPython runs: " + lw;
        }
      const std::size_t at = l.warning.find("; CPython runs: ");
      if (at != std::string::npos) l.warning.erase(at);
      if (!w.empty()) l.warning += (l.warning.empty() ? "" : "; ") + w;
    }
    summarize(l);
  }
}

std::string counting_explanation() {
  return "Three ways of counting one object give three answers. sys.getsizeof(obj) is the object's own struct "
         "(its type's basic size, plus the GC header): not the floats it points to, not a separate values array "
         "(3.11/3.12), not the class's shared keys, and for an instance not its __dict__; getsizeof(p.__dict__) "
         "counts the dict object and its values, and from 3.11 a dict that reading __dict__ just created. "
         "tracemalloc counts every block the allocator handed out while tracing: the instance with its GC "
         "header, the dict and its values array, every float (24 B each). slotsim's layouts count the blocks "
         "their store allocates; by default without object or GC headers and with unboxed doubles, so they show "
         "the layout alone; with --python-objects=VERSION they add that CPython's headers and a float object per "
         "value, and then match tracemalloc (docs/LAYOUTS.md has the table per version).";
}

std::vector<std::string> counting_examples(const std::vector<InterpreterRun>& runs) {
  std::vector<const CPythonFigures*> ok;
  for (const InterpreterRun& r : runs)
    if (r.ok) ok.push_back(&r.figures);
  std::sort(ok.begin(), ok.end(), [](const CPythonFigures* a, const CPythonFigures* b) { return version_less(*a, *b); });
  std::vector<std::string> out;
  for (const CPythonFigures* f : ok) {
    const CPythonShape* p = f->shape(7, "plain");
    if (!p) continue;
    std::optional<PyVersion> v;
    if (f->major == 3) v = parse_py_version(f->minor_version());
    std::string model = "no model of this version";
    if (v) {
      const Layout l = plain_layout_for(*v);
      model = fmt("slotsim %s --python-objects=%s: %.0f B (default mode: %.0f B)", std::string(layout_name(l)).c_str(),
                  f->minor_version().c_str(), model_bytes(l, {7, ShapeKind::Plain, false}, v),
                  model_bytes(l, {7, ShapeKind::Plain, false}, std::nullopt));
    }
    out.push_back(fmt("CPython %s, a 7-field plain instance: getsizeof(p) %.0f B + getsizeof(p.__dict__) %.0f B; "
                      "tracemalloc %.0f B (instance, dict or values, 7 floats, headers); %s",
                      f->version.c_str(), p->getsizeof_instance, p->getsizeof_dict.value_or(0), p->distinct_untouched,
                      model.c_str()));
  }
  return out;
}

std::string version_ranges(const std::vector<std::string>& versions) {
  struct V {
    int major, minor, micro;
    std::string text;
  };
  std::vector<V> vs;
  for (const std::string& t : versions) {
    V v{0, 0, 0, t};
    std::sscanf(t.c_str(), "%d.%d.%d", &v.major, &v.minor, &v.micro);
    vs.push_back(v);
  }
  std::sort(vs.begin(), vs.end(), [](const V& a, const V& b) {
    return std::tie(a.major, a.minor, a.micro) < std::tie(b.major, b.minor, b.micro);
  });
  std::string out;
  std::size_t i = 0;
  while (i < vs.size()) {
    std::size_t j = i;
    while (j + 1 < vs.size() && vs[j + 1].major == vs[j].major &&
           (vs[j + 1].minor == vs[j].minor || vs[j + 1].minor == vs[j].minor + 1))
      ++j;
    out += (out.empty() ? "" : ", ") + vs[i].text + (j > i ? "-" + vs[j].text : "");
    i = j + 1;
  }
  return out;
}

LessonsReport measure_lessons_report(const LessonOptions& o) {
  LessonsReport rep;
  rep.options = o;
  rep.load.cpus = online_cpus();
  rep.load.before = load_average();
  const std::size_t n = o.sample;
  SlotsFigures& sf = rep.slots;

  ParticleStore slots = make(Layout::Slots, n);
  sf.bytes_per_instance = per(slots);
  sf.three_bytes = model_bytes(Layout::Slots, {3, ShapeKind::Slots, false}, std::nullopt, n, true);
  std::vector<ParticleStore> stores;
  const std::vector<Layout> layouts = plain_models();
  stores.reserve(layouts.size());
  for (Layout l : layouts) {
    ModelFigures m;
    m.layout = std::string(layout_name(l));
    m.stands_for = std::string(traits(l).cpython);
    m.available = true;
    stores.push_back(make(l, n));
    m.bytes_per_instance = per(stores.back());
    m.dict_bytes_untouched = tables_per(stores.back());
    m.three_bytes = model_bytes(l, {3, ShapeKind::Plain, false}, std::nullopt, n, true);
    rep.models.push_back(std::move(m));
  }
  {
    std::vector<ParticleStore*> timed_stores;
    std::vector<ModelFigures*> figs;
    for (std::size_t k = 0; k < stores.size(); ++k) {
      timed_stores.push_back(&stores[k]);
      figs.push_back(&rep.models[k]);
    }
    time_models(slots, timed_stores, figs, sf, std::max(o.pairs, 3));
  }
  rep.load.after = load_average();
  for (std::size_t k = 0; k < stores.size(); ++k) {
    ModelFigures& m = rep.models[k];
    ParticleStore& s = stores[k];
    ten_million(m, s.layout(), s, o);
    s.read_dict_all();  // p.__dict__ on every instance
    m.dict_bytes_touched = tables_per(s);
    m.bytes_touched = per(s);
  }
  stores.clear();

  sf.empty_dict = model_bytes(Layout::Dict, {0, ShapeKind::Plain, false}, std::nullopt, 1, true);
  {
    ParticleStore s = make(Layout::Slots, 4);
    sf.attr_error = "(no error)";
    try {
      s.set_attr(0, "charge", 1.0);
    } catch (const AttributeError& e) {
      sf.attr_error = e.what();
      sf.attr_error_raised = true;
    }
  }
  {
    // A subclass that does not declare __slots__ gives every instance a
    // __dict__ again: modelled as the slotted cells plus a per-instance
    // table, with one attribute the subclass sets in __init__.
    const InheritOutcome io = subclass_without_slots(slots, "tag", 1.0);
    sf.inherit_before = double(io.base.total()) / double(slots.size());
    sf.inherit_after = double(io.after_init.total()) / double(slots.size());
  }
  {
    ParticleStore s = make(Layout::SlotsDict, n);
    sf.hatch_unused = per(s) - sf.bytes_per_instance;
    const long long b0 = s.bytes().total();
    s.set_attr(0, "charge", 1.0);
    sf.hatch_one = double(s.bytes().total() - b0);
  }
  rep.rows = build_lessons(rep.models, sf, rep.load);
  return rep;
}

std::vector<Lesson> measure_lessons(const LessonOptions& o) { return measure_lessons_report(o).rows; }

}  // namespace slotsim
