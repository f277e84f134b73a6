// rank_probe: runs harness/stats' rank tests on samples read from stdin, for
// scipy_rank_check.py. One case per input line, one JSON object per output line:
//   mw A1 A2 ... | B1 B2 ...   -> mann_whitney_u_test(A, B)
//   sr D1 D2 ...               -> wilcoxon_signed_rank_test(D)
// Output: {"test": "mw", "statistic": U_of_A (or W+), "p": p, "exact": bool, "n": n}, numbers
// printed with 17 significant digits (round-trip exact). Exit 2 on a malformed line.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "stats/stats.h"

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    std::string test, token;
    in >> test;
    std::vector<double> a, b;
    bool second = false;
    while (in >> token) {
      if (token == "|") {
        second = true;
        continue;
      }
      char* end = nullptr;
      const double x = std::strtod(token.c_str(), &end);
      if (end == token.c_str() || *end != '\0') {
        std::fprintf(stderr, "rank_probe: not a number: %s\n", token.c_str());
        return 2;
      }
      (second ? b : a).push_back(x);
    }
    alloclab::stats::RankTest t;
    if (test == "mw" && second) {
      t = alloclab::stats::mann_whitney_u_test(a, b);
    } else if (test == "sr" && !second) {
      t = alloclab::stats::wilcoxon_signed_rank_test(a);
    } else {
      std::fprintf(stderr, "rank_probe: expected 'mw A... | B...' or 'sr D...': %s\n", line.c_str());
      return 2;
    }
    std::printf("{\"test\": \"%s\", \"statistic\": %.17g, \"p\": %.17g, \"exact\": %s, \"n\": %zu}\n", test.c_str(),
                t.statistic, t.p_value, t.exact ? "true" : "false", t.n);
  }
  return 0;
}
