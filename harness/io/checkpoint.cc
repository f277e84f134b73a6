// io/checkpoint.cc — the per-round rewrite of the results file.
#include "io/checkpoint.h"

#include <utility>

#include "io/results_json.h"

namespace alloclab::harness {

Checkpointer::Checkpointer(std::string path, int resamples) : path_(std::move(path)), resamples_(resamples) {}

void Checkpointer::on_round_complete(const RunResults& r) { save(r, resamples_); }

void Checkpointer::save(const RunResults& r, int resamples) const { save(r, summarize_run(r, resamples)); }

void Checkpointer::save(const RunResults& r, const std::vector<CellSummary>& cells) const {
  save_results(path_, r, cells);
}

}  // namespace alloclab::harness
