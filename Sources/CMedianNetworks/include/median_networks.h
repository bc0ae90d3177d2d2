/* The median selection networks of RobustAggregation (MedianNetworks.generated.swift) for
 * 16 columns at once in AVX-512 or AVX2, for x86-64 CPUs that have them. The same
 * comparators as the Swift networks (pruned Batcher merge-exchange), each the same select on
 * an ordered y < x, so every column gets the Swift network's bits. */
#ifndef BRSGD_MEDIAN_NETWORKS_H
#define BRSGD_MEDIAN_NETWORKS_H

#include <stddef.h>

#if defined(__x86_64__) && defined(__clang__)
#define BRSGD_MEDIAN_NETWORKS_X86 1
#else
#define BRSGD_MEDIAN_NETWORKS_X86 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Instruction sets the networks come in. */
enum {
    BRSGD_MEDIAN_ISA_NONE = 0,
    BRSGD_MEDIAN_ISA_AVX2 = 1,
    BRSGD_MEDIAN_ISA_AVX512 = 2
};

/* The widest instruction set this CPU runs (BRSGD_MEDIAN_ISA_NONE off x86-64). */
int brsgd_median_best_isa(void);

/* out[l] = the median of rows[0][column + l], …, rows[row_count − 1][column + l] for
 * l in 0..<16 (for an even count, lower · ½ + upper · ½), computed with instruction set
 * `isa`. Returns 1, or 0 (out untouched) when row_count is outside 1...32 or `isa` is not
 * one this build and CPU run. O(comparators) vector instructions, about 81 for 20 rows. */
int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out);

#ifdef __cplusplus
}
#endif

#endif
