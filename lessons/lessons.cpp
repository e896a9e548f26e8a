#include "lessons/lessons.hpp"

#include "lessons/inheritance.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <string>

#include "sim/layouts/particle_store.hpp"
#include "sim/stats.hpp"

namespace slotsim {
namespace {

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[512];
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

// ---------------------------------------------------------------------------
// "Read __dict__ on every instance": ParticleStore::read_dict_all() gives
// every shared-keys particle its own dict, as reading p.__dict__ does on
// CPython 3.11+. On the classic `dict` layout it is a no-op: every particle
// has its dict from the start. (Detected at compile time so a store type
// without it still compiles; every ParticleStore has it.)
// ---------------------------------------------------------------------------
template <class Store>
bool touch_all_dicts(Store& s) {
  if constexpr (requires { s.read_dict_all(); }) {
    try {
      s.read_dict_all();
      return true;
    } catch (const std::exception&) {
      return false;  // a layout that refuses: the figure stays "not measured"
    }
  } else {
    return false;
  }
}

// Bytes of one classic dict instance holding `k` attributes, and of one
// slotted instance with `k` cells, each with its 8-byte slot in the index:
// the lecture's 3-field and empty-instance shapes, which a 7-attribute
// ParticleStore cannot express.
double dict_instance_bytes(int k) {
  mem::CountingResource r;
  AttrTable* t = attr_table_new(&r);
  for (int a = 0; a < k; ++a) {
    char name[16];
    std::snprintf(name, sizeof name, "field%d", a);
    attr_table_set(&r, &t, intern(name), a);
  }
  const double b = double(r.requested()) + sizeof(DictObject) + sizeof(void*);
  attr_table_free(&r, t);
  return b;
}
double slots_instance_bytes(int k) { return 8.0 * k + sizeof(void*); }

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
// loaded machine (2 cores shared by several builds) a repeat's wall time is
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

Spread spread_of(const std::vector<double>& v) {
  Spread s;
  s.median = median(v);
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  s.repeats = int(v.size());
  return s;
}

// Times every store with the same code, repeats interleaved (store A, B, C,
// A, B, C, ...) so a change of machine load hits every model alike instead
// of the one that happened to run last. Each repeat runs enough sweeps to
// last ~20 ms, so timer resolution and one interrupt are small against it.
void time_stores(const std::vector<ParticleStore*>& stores, int repeats, std::vector<Spread>& reads,
                 std::vector<Spread>& updates) {
  std::vector<int> sweeps;
  for (ParticleStore* s : stores) {
    const double ns = timed(*s, false, 1);  // also warms caches and page tables
    const double sweep_ms = ns * 3.0 * double(s->size()) / 1e6;
    sweeps.push_back(std::clamp(int(20.0 / std::max(sweep_ms, 1e-3)), 1, 1000));
  }
  std::vector<std::vector<double>> r(stores.size()), u(stores.size());
  for (int rep = 0; rep < repeats; ++rep)
    for (std::size_t k = 0; k < stores.size(); ++k) {
      r[k].push_back(timed(*stores[k], false, sweeps[k]));
      u[k].push_back(timed(*stores[k], true, sweeps[k]));
    }
  reads.clear();
  updates.clear();
  for (std::size_t k = 0; k < stores.size(); ++k) {
    reads.push_back(spread_of(r[k]));
    updates.push_back(spread_of(u[k]));
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

// "Clearly faster" needs more than lower medians: the typical fast repeat
// must beat the best slow one (fast median < slow min), so a 5% gap inside
// overlapping ranges is reported as noise, not a finding. Requiring the
// whole ranges apart (fast max < slow min) was rejected: on a loaded
// machine one descheduled repeat stretches the max of any store.
enum class Faster { Clearly, WithinSpread, No };
Faster faster(const Spread& slow, const Spread& fast) {
  if (fast.median >= slow.median) return Faster::No;
  return fast.median < slow.min ? Faster::Clearly : Faster::WithinSpread;
}

constexpr const char* kClassicScope = "on CPython <= 3.10";
constexpr const char* kSharedScope = "on CPython 3.11+";

ClaimCell cell(std::string text, bool holds, const char* scope, const std::string& reason = "") {
  ClaimCell c;
  c.available = true;
  c.text = std::move(text);
  c.holds = holds;
  c.verdict = std::string(holds ? "holds " : "does not hold ") + scope + (reason.empty() ? "" : ": " + reason);
  return c;
}
ClaimCell missing(std::string text) {
  ClaimCell c;
  c.text = std::move(text);
  c.verdict = "n/a";
  return c;
}

void summarize(Lesson& l) {
  l.summary.clear();
  for (const ClaimCell* c : {&l.classic, &l.shared_keys, &l.cpython})
    if (c->available) l.summary += (l.summary.empty() ? "" : " / ") + c->verdict;
  l.measured = l.classic.text;
  l.verdict = l.classic.verdict;
}

// Per model, the cells of the claims that depend on the dict model.
ClaimCell empty_cell(const ModelFigures& m, const SlotsFigures& s, const char* scope, bool classic) {
  const double d = m.dict_bytes_untouched;
  std::string t = fmt("%.0f B of per-instance dict table per instance (7 attributes) before any __dict__ read", d);
  if (classic) t += fmt("; an instance with no attributes: %.0f B", s.empty_dict);
  if (m.dict_bytes_touched) t += fmt("; after reading __dict__: %.0f B", *m.dict_bytes_touched);
  else if (!classic) t += "; __dict__ read: not measured (read_dict_all not wired)";
  return cell(t, d > 16, scope, d > 16 ? "" : "no dict object per instance until __dict__ is read");
}

ClaimCell saving_cell(const ModelFigures& m, const SlotsFigures& s, const char* scope) {
  const double r = m.bytes_per_instance / s.bytes_per_instance;
  std::string t = fmt("%.0f B vs slots %.0f B per instance (7 attributes): %.2fx", m.bytes_per_instance,
                      s.bytes_per_instance, r);
  if (m.bytes_touched && *m.bytes_touched != m.bytes_per_instance)
    t += fmt("; %.2fx after reading __dict__", *m.bytes_touched / s.bytes_per_instance);
  return cell(t, r >= 3, scope, r >= 3 ? (r > 4 ? "saving larger than claimed" : "") : fmt("%.2fx, below 3x", r));
}

ClaimCell speed_cell(const ModelFigures& m, const SlotsFigures& s, const char* scope) {
  const Faster f = faster(m.read, s.read);
  const std::string t = fmt("read %s vs slots %s: %.2fx; update %s vs slots %s", spread_text(m.read).c_str(),
                            spread_text(s.read).c_str(), m.read.median / s.read.median, spread_text(m.update).c_str(),
                            spread_text(s.update).c_str());
  return cell(t, f == Faster::Clearly, scope,
              f == Faster::Clearly ? "" : f == Faster::WithinSpread ? "slots faster only within the spread" : "slots not faster");
}

ClaimCell ten_m_cell(const ModelFigures& m, const char* scope) {
  const bool h = m.ten_m_dict_bytes > 2e9;
  return cell(m.ten_m_how, h, scope, h ? "" : fmt("%.2f GB, below 2 GB", m.ten_m_dict_bytes / 1e9));
}

struct ClaimText {
  const char* id;
  const char* claim;
  const char* lecture;
  const char* why;
};

// The lecture's order; `why` is the plain-language note the Lessons panel
// and the report show: what changed in CPython, and in which version.
constexpr ClaimText kClaims[kNumClaims] = {
    {"dict_empty", "every instance pays for its own __dict__ before it stores anything",
     "one dict object per instance",
     "PEP 412 (3.3) made the instances of a class share one keys table, so each dict holds only values. Since 3.11 "
     "there is no dict object at all until something reads __dict__: the values sit in a small array the object "
     "points to (3.11, 3.12) or inside the object itself (3.13)."},
    {"slots_saving", "__slots__ saves 3-4x memory per instance", "3-4x",
     "With shared keys and no dict object (3.11+), a plain instance costs a small values array instead of a hash "
     "table, so the gap to __slots__ shrinks to tens of bytes; the boxed floats (24 B each) cost the same in both."},
    {"three_fields", "a three-field record: ~260 B with __dict__ -> ~56 B with __slots__", "~260 B -> ~56 B",
     "The 260 B counts an instance plus its own dict, as up to 3.10. Since 3.11 that dict is never built unless "
     "__dict__ is read, and a 3-field plain instance is a few words larger than the slotted one."},
    {"access_speed", "attribute access is faster on slotted instances (fixed offset, no hash probe)", "slots faster",
     "3.11's specialising interpreter (PEP 659) compiles o.x on a plain instance to a fixed-offset load from its "
     "values (LOAD_ATTR_INSTANCE_VALUE), as fast as a slot; only after __dict__ has been read does it look the "
     "name up in a dict again."},
    {"attribute_error", "setting an undeclared attribute on a slotted instance raises AttributeError",
     "AttributeError",
     "Unchanged in every version: a class with __slots__ and no '__dict__' has nowhere to put a new name."},
    {"inheritance", "one class in the chain without __slots__ brings the __dict__ back", "__dict__ comes back",
     "Unchanged as a rule. Since 3.11 what comes back is the plain class's values array with shared keys, far "
     "cheaper than a classic dict until __dict__ is read."},
    {"escape_hatch", "'__dict__' in __slots__ allows new attributes, paid only by instances that use it",
     "new attributes allowed, free while unused",
     "Since 3.11 a class with '__dict__' in __slots__ gets the same managed dict as a plain class: every instance "
     "gets a values array up front, used or not, and the first extra attribute usually fits in its spare room."},
    {"ten_million", "10,000,000 instances with __dict__ need more than 2 GB for the dicts alone", "> 2 GB",
     "Without a dict object per instance (3.11+), the 'dicts' of 10M instances are their values arrays; reading "
     "__dict__ on every instance builds the dict objects and brings part of the cost back."},
};

}  // namespace

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
             "timings are less certain; compare the spreads",
             before, after, cpus);
}

std::vector<Lesson> build_lessons(const ModelFigures& classic, const ModelFigures& sk, const SlotsFigures& s,
                                  const MachineLoad& load) {
  std::vector<Lesson> out;
  const std::string no_layout = "n/a (layout not built)";
  for (const ClaimText& c : kClaims) {
    Lesson l;
    l.id = c.id;
    l.claim = c.claim;
    l.lecture = c.lecture;
    l.why = c.why;
    l.cpython = missing("not measured");
    const std::string id = c.id;
    if (id == "dict_empty") {
      l.classic = empty_cell(classic, s, kClassicScope, true);
      l.value = classic.dict_bytes_untouched;
      l.shared_keys = sk.available ? empty_cell(sk, s, kSharedScope, false) : missing(no_layout);
    } else if (id == "slots_saving") {
      l.classic = saving_cell(classic, s, kClassicScope);
      l.value = classic.bytes_per_instance / s.bytes_per_instance;
      l.shared_keys = sk.available ? saving_cell(sk, s, kSharedScope) : missing(no_layout);
    } else if (id == "three_fields") {
      const double r = s.three_dict / s.three_slots;
      l.classic = cell(fmt("%.0f B -> %.0f B (%.1fx); CPython's figures add object and GC headers and boxed floats "
                           "that this model does not allocate",
                           s.three_dict, s.three_slots, r),
                       r >= 260.0 / 56.0 * 0.75, kClassicScope, r >= 260.0 / 56.0 * 0.75 ? "" : "ratio below the lecture's");
      l.value = r;
      // A ParticleStore always has 7 attributes: the 3-field shape exists
      // only as the classic table arithmetic above.
      l.shared_keys = missing("n/a: slotsim's particles have 7 fields; see the 7-field row");
    } else if (id == "access_speed") {
      l.classic = speed_cell(classic, s, kClassicScope);
      l.value = classic.read.median / s.read.median;
      l.shared_keys = sk.available ? speed_cell(sk, s, kSharedScope) : missing(no_layout);
      l.warning = load.warning();
    } else if (id == "attribute_error") {
      // Slotted classes are the same in both models: one measurement.
      l.classic = cell(s.attr_error, s.attr_error_raised, kClassicScope);
      l.shared_keys = sk.available ? cell(s.attr_error + " (slotted layout: the same in both models)",
                                          s.attr_error_raised, kSharedScope)
                                   : missing(no_layout);
      l.value = s.attr_error_raised ? 1 : 0;
    } else if (id == "inheritance") {
      const double d = s.inherit_after - s.inherit_before;
      const bool h = d > 64;
      const std::string t = fmt("%.0f B -> %.0f B per instance when a subclass without __slots__ sets one attribute",
                                s.inherit_before, s.inherit_after);
      l.classic = cell(t, h, kClassicScope);
      l.shared_keys = sk.available ? cell(t + " (slotsim's slots+dict keeps a classic table in both models)", h,
                                          kSharedScope)
                                   : missing(no_layout);
      l.value = d;
    } else if (id == "escape_hatch") {
      const bool h = s.hatch_unused <= 8 && s.hatch_one > 0;
      const std::string t = fmt("%.0f B per instance while unused; the first extra attribute on one instance adds "
                                "%.0f B to that instance only",
                                s.hatch_unused, s.hatch_one);
      l.classic = cell(t, h, kClassicScope);
      l.shared_keys =
          sk.available ? cell(t + " (slots+dict layout: the same in both models)", h, kSharedScope) : missing(no_layout);
      l.value = s.hatch_one;
    } else if (id == "ten_million") {
      l.classic = ten_m_cell(classic, kClassicScope);
      l.value = classic.ten_m_dict_bytes;
      l.shared_keys = sk.available ? ten_m_cell(sk, kSharedScope) : missing(no_layout);
    }
    summarize(l);
    out.push_back(std::move(l));
  }
  return out;
}

void add_cpython_column(std::vector<Lesson>& rows, const CPythonFigures& f) {
  const std::string scope = "on CPython " + f.version;
  const char* sc = scope.c_str();
  const CPythonShape* p3 = f.shape(3, "plain");
  const CPythonShape* s3 = f.shape(3, "slots");
  const CPythonShape* p7 = f.shape(7, "plain");
  const CPythonShape* s7 = f.shape(7, "slots");
  const CPythonShape* sd3 = f.shape(3, "slots_dict");
  const CPythonFigures::Timing* tp = f.timing("plain");
  const CPythonFigures::Timing* ts = f.timing("slots");
  const CPythonFigures::Timing* tt = f.timing("plain_touched");
  const MachineLoad load{f.load_before, f.load_after, f.cpus};
  for (Lesson& l : rows) {
    const std::string& id = l.id;
    if (id == "dict_empty") {
      const double extra = f.empty_plain_untouched - f.empty_slots;
      const double read = f.empty_plain_touched ? *f.empty_plain_touched - f.empty_plain_untouched : 0;
      // If reading __dict__ allocates, the dict did not exist before.
      const bool dict_from_start = read <= 8;
      l.cpython = cell(fmt("empty instance %.0f B vs %.0f B slotted (+%.0f B); reading __dict__ then adds %.0f B "
                           "(tracemalloc, N=%lld)",
                           f.empty_plain_untouched, f.empty_slots, extra, read, f.instances),
                       dict_from_start, sc, dict_from_start ? "" : "no dict object until __dict__ is read");
    } else if (id == "slots_saving" && p7 && s7) {
      const double rs = p7->shared_untouched / s7->shared_untouched;
      const double rd = p7->distinct_untouched / s7->distinct_untouched;
      std::string t = fmt("7 fields: %.0f vs %.0f B = %.2fx with shared floats; %.0f vs %.0f B = %.2fx with distinct "
                          "floats",
                          p7->shared_untouched, s7->shared_untouched, rs, p7->distinct_untouched, s7->distinct_untouched,
                          rd);
      if (p7->shared_touched) t += fmt("; %.2fx after reading __dict__", *p7->shared_touched / s7->shared_untouched);
      l.cpython = cell(t, rs >= 3, sc, rs >= 3 ? "" : fmt("%.2fx at best, below 3x", rs));
    } else if (id == "three_fields" && p3 && s3) {
      const double r = p3->distinct_untouched / s3->distinct_untouched;
      std::string t = fmt("%.0f B -> %.0f B (%.2fx) with distinct floats", p3->distinct_untouched,
                          s3->distinct_untouched, r);
      if (p3->distinct_touched)
        t += fmt("; %.0f B after reading __dict__ (%.2fx)", *p3->distinct_touched,
                 *p3->distinct_touched / s3->distinct_untouched);
      t += fmt("; getsizeof %.0f B (+ dict %.0f B) vs %.0f B", p3->getsizeof_instance, p3->getsizeof_dict.value_or(0),
               s3->getsizeof_instance);
      const bool h = r >= 260.0 / 56.0 * 0.75;
      l.cpython = cell(t, h, sc, h ? "" : fmt("%.2fx, not the lecture's %.1fx", r, 260.0 / 56.0));
    } else if (id == "access_speed" && tp && ts) {
      const Faster fr = faster(tp->read, ts->read);
      std::string t = fmt("read %s vs slots %s: %.2fx; update %s vs slots %s", spread_text(tp->read).c_str(),
                          spread_text(ts->read).c_str(), tp->read.median / ts->read.median,
                          spread_text(tp->update).c_str(), spread_text(ts->update).c_str());
      if (tt) t += fmt("; after reading __dict__: read %s", spread_text(tt->read).c_str());
      t += fmt("; timeit loop alone %s", spread_text(f.loop_overhead).c_str());
      l.cpython = cell(t, fr == Faster::Clearly, sc,
                       fr == Faster::Clearly ? "" : fr == Faster::WithinSpread ? "slots faster only within the spread"
                                                                               : "slots not faster");
      const std::string w = load.warning();
      if (!w.empty()) l.warning += (l.warning.empty() ? "" : "; ") + std::string("CPython: ") + w;
    } else if (id == "attribute_error") {
      l.cpython = cell(f.attr_error_raised ? f.attr_error_type + ": " + f.attr_error_message : "(no error)",
                       f.attr_error_raised, sc);
    } else if (id == "inheritance") {
      std::string t = fmt("subclass has __dict__: %s; +%.0f B per instance over the slotted class",
                          f.subclass_has_dict ? "yes" : "no", f.inherit_extra_untouched);
      if (f.inherit_extra_touched) t += fmt(" (+%.0f B after reading __dict__)", *f.inherit_extra_touched);
      l.cpython = cell(t, f.subclass_has_dict, sc);
    } else if (id == "escape_hatch" && sd3) {
      const bool h = f.hatch_allows && f.hatch_unused <= 8;
      l.cpython = cell(fmt("new attributes %s; %.0f B per instance while unused (3 fields, vs slotted); the first "
                           "extra attribute adds %.0f B per instance",
                           f.hatch_allows ? "allowed" : "refused", f.hatch_unused, f.hatch_added),
                       h, sc,
                       h ? "" : !f.hatch_allows ? "refused" : fmt("every instance pays %.0f B, used or not", f.hatch_unused));
    } else if (id == "ten_million") {
      const bool h = f.ten_m_dict_untouched > 2e9;
      l.cpython = cell(fmt("dicts alone (plain - slotted, 7 fields): %.2f GB, %.2f GB after reading __dict__ on all; "
                           "all instance memory %.2f GB (%s)",
                           f.ten_m_dict_untouched / 1e9, f.ten_m_dict_touched / 1e9, f.ten_m_all / 1e9,
                           f.ten_m_scaling.c_str()),
                       h, sc, h ? "" : fmt("%.2f GB, below 2 GB", f.ten_m_dict_untouched / 1e9));
    }
    summarize(l);
  }
}

void set_cpython_missing(std::vector<Lesson>& rows, const std::string& why) {
  for (Lesson& l : rows) {
    l.cpython = missing(why);
    summarize(l);
  }
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
  // Both dict models: the same sample, the same code. The shared-keys one
  // is looked up by name so this file needs no change when it is built.
  ModelFigures* models[2] = {&rep.classic, &rep.shared_keys};
  const std::string_view names[2] = {"dict", kSharedKeysLayout};
  std::vector<ParticleStore> stores;
  stores.reserve(2);
  for (int k = 0; k < 2; ++k) {
    models[k]->layout = std::string(names[k]);
    const std::optional<Layout> l = parse_layout(names[k]);
    if (!l) continue;
    models[k]->available = true;
    stores.push_back(make(*l, n));
    models[k]->bytes_per_instance = per(stores.back());
    models[k]->dict_bytes_untouched = tables_per(stores.back());
  }
  {
    std::vector<ParticleStore*> timed_stores = {&slots};
    for (ParticleStore& s : stores) timed_stores.push_back(&s);
    std::vector<Spread> reads, updates;
    time_stores(timed_stores, std::max(o.repeats, 1), reads, updates);
    sf.read = reads[0];
    sf.update = updates[0];
    std::size_t k = 1;
    for (ModelFigures* m : models)
      if (m->available) {
        m->read = reads[k];
        m->update = updates[k];
        ++k;
      }
  }
  rep.load.after = load_average();
  {
    std::size_t k = 0;
    for (ModelFigures* m : models) {
      if (!m->available) continue;
      ParticleStore& s = stores[k++];
      ten_million(*m, s.layout(), s, o);
      if (touch_all_dicts(s)) {
        m->dict_bytes_touched = tables_per(s);
        m->bytes_touched = per(s);
      } else if (s.layout() == Layout::Dict) {
        // Not wired yet, but on the classic layout reading __dict__ creates
        // nothing: the dict is there from the start.
        m->dict_bytes_touched = m->dict_bytes_untouched;
        m->bytes_touched = m->bytes_per_instance;
      }
    }
  }
  stores.clear();

  sf.empty_dict = dict_instance_bytes(0);
  sf.three_dict = dict_instance_bytes(3);
  sf.three_slots = slots_instance_bytes(3);
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
  rep.rows = build_lessons(rep.classic, rep.shared_keys, sf, rep.load);
  rep.cpython_note = "not measured";
  return rep;
}

std::vector<Lesson> measure_lessons(const LessonOptions& o) { return measure_lessons_report(o).rows; }

}  // namespace slotsim
