// The statistics' PRNG: a platform-independent stream for every bootstrap in harness/stats
// (and for other harness code that wants the same stream, e.g. the round shuffle).
#pragma once

#include <cstdint>

namespace alloclab::stats {

// xoshiro256** whose state is filled by splitmix64(seed). Pure integer arithmetic, so the
// stream is identical on every platform and compiler.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();                      // xoshiro256**
  std::uint64_t below(std::uint64_t bound);  // uniform in [0, bound), unbiased; bound >= 1
 private:
  std::uint64_t s_[4];
};
// splitmix64 step: advances state, returns the next output (Vigna's reference algorithm).
std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace alloclab::stats
