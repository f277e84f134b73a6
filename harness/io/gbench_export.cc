// io/gbench_export.cc — Google Benchmark JSON writer.
#include "io/gbench_export.h"

#include <vector>

#include "stats/summary.h"

namespace alloclab::harness {
namespace {

struct Moments {
  double median = 0, mean = 0, stddev = 0, cv = 0;
};

Moments moments(const std::vector<double>& v) {
  stats::Summary s = stats::summarize(v);
  return {s.median, s.mean, s.stddev, s.cv};
}

}  // namespace

json to_gbench(const RunResults& r) {
  const json& c = r.context;
  json ctx = {{"date", c.value("date_utc", std::string{})},
              {"host_name", c.value("host", std::string{})},
              {"executable", r.options.runner},
              {"num_cpus", c.value("cores", 0)},
              {"mhz_per_cpu", 0},
              {"cpu_scaling_enabled", false},
              {"caches", json::array()},
              {"load_avg", json::array()},
              {"library_build_type", "release"},
              {"alloclab_schema_version", 1},
              {"alloclab_git_commit", c.value("git_commit", std::string{"unknown"})},
              {"alloclab_seed", r.options.seed},
              {"alloclab_reference", r.options.reference}};
  json benches = json::array();
  int family = 0;
  for (const auto& a : r.allocators)
    for (const auto& w : r.workloads) {
      std::string name = a.name + "/" + w.name;
      std::vector<const Sample*> ok;
      for (const auto& s : r.samples)
        if (s.allocator == a.name && s.workload == w.name && s.status == Status::ok) ok.push_back(&s);
      if (ok.empty()) {
        ++family;
        continue;
      }
      int reps = static_cast<int>(ok.size());
      std::vector<double> rt, ct, ips;
      for (const Sample* s : ok) {
        benches.push_back({{"name", name},
                           {"family_index", family},
                           {"per_family_instance_index", 0},
                           {"run_name", name},
                           {"run_type", "iteration"},
                           {"repetitions", reps},
                           {"repetition_index", s->round - 1},
                           {"threads", w.threads},
                           {"iterations", s->iterations},
                           {"real_time", s->real_time_ns},
                           {"cpu_time", s->cpu_time_ns},
                           {"time_unit", "ns"},
                           {"items_per_second", s->mallocs_per_sec}});
        rt.push_back(s->real_time_ns);
        ct.push_back(s->cpu_time_ns);
        ips.push_back(s->mallocs_per_sec);
      }
      Moments mr = moments(rt), mc = moments(ct), mi = moments(ips);
      auto agg = [&](const char* what, double real, double cpu, double items, const char* unit) {
        benches.push_back({{"name", name + "_" + what},
                           {"family_index", family},
                           {"per_family_instance_index", 0},
                           {"run_name", name},
                           {"run_type", "aggregate"},
                           {"repetitions", reps},
                           {"threads", w.threads},
                           {"aggregate_name", what},
                           {"aggregate_unit", unit},
                           {"iterations", reps},
                           {"real_time", real},
                           {"cpu_time", cpu},
                           {"time_unit", "ns"},
                           {"items_per_second", items}});
      };
      agg("mean", mr.mean, mc.mean, mi.mean, "time");
      agg("median", mr.median, mc.median, mi.median, "time");
      agg("stddev", mr.stddev, mc.stddev, mi.stddev, "time");
      agg("cv", mr.cv, mc.cv, mi.cv, "percentage");
      ++family;
    }
  return {{"context", ctx}, {"benchmarks", benches}};
}

}  // namespace alloclab::harness
