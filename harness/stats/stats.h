// Statistics for noisy throughput samples: per-cell summaries, paired and unpaired ratios
// with bootstrap confidence intervals, rank tests, 2^k factorial effects, multiple-testing
// helpers. Pure functions, deterministic for a given seed. This header includes them all:
//
//   rng.h               Rng (xoshiro256** seeded by splitmix64), splitmix64
//   summary.h           median, summarize (Summary), median_ci_rank
//   bootstrap.h         percentile_interval: the one percentile rule of every bootstrap CI
//   rank_tests.h        mann_whitney_u_test / _p, wilcoxon_signed_rank_test / _p (RankTest)
//   ratio.h             paired_ratio (RatioEstimate), unpaired_ratio (UnpairedRatio)
//   factorial.h         factorial_effects (FactorialEffects): 2^k main effects, interactions
//   multiple_testing.h  binomial_tail, expected_false_positives, bh_adjust, bh_reject
//   placement.h         placement (Placement): per-layout-copy spread of ratios, placement_spread
//
// Why paired: on a noisy 2-core machine one build's throughput moves 25-40 % between runs,
// but a round measures every cell once, so candidate and reference measured in the same
// round share that drift. The ratio candidate[i]/reference[i] cancels it; a comparison of
// the two unpaired samples (Mann-Whitney, unpaired_ratio) does not — use that only for two
// independent runs (two results files).
//
// One percentile convention: every bootstrap CI here (paired_ratio, unpaired_ratio,
// factorial_effects) sorts its B resampled statistics and takes percentile_interval:
// k = max(1, ceil(alpha/2 * B)), CI = [m[k-1], m[B-k]].
//
// Determinism: the bootstraps use their own PRNG (Rng: xoshiro256** seeded through
// splitmix64, unbiased bounded draws by rejection). paired_ratio and unpaired_ratio use only
// IEEE-exact operations (division, comparison, midpoint) on the data, so their ratios and CIs
// are bit-identical on every platform for a given seed; factorial_effects goes through
// std::log / std::exp (libm, last-ulp differences). p-values from the exact distributions
// are ratios of integer counts; those from the normal approximation go through std::erfc.
// The library is built with -ffp-contract=off (no fused multiply-add).
//
// Non-finite inputs (NaN, ±inf) are skipped everywhere: a failed measurement must not
// poison a cell. (bh_adjust is the exception: a NaN p-value counts as 1, see there.)
#pragma once

#include "stats/bootstrap.h"
#include "stats/factorial.h"
#include "stats/multiple_testing.h"
#include "stats/placement.h"
#include "stats/rank_tests.h"
#include "stats/ratio.h"
#include "stats/rng.h"
#include "stats/summary.h"
