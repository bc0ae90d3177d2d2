/* Chooses the instruction set of the median networks (median_networks.generated.c). */
#include "median_networks.h"

#include <stdatomic.h>

#if BRSGD_MEDIAN_NETWORKS_X86
int brsgd_median16_avx512(int row_count, const float *const *rows, ptrdiff_t column, float *out);
int brsgd_median16_avx2(int row_count, const float *const *rows, ptrdiff_t column, float *out);

int brsgd_median_best_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return BRSGD_MEDIAN_ISA_AVX512;
    if (__builtin_cpu_supports("avx2")) return BRSGD_MEDIAN_ISA_AVX2;
    return BRSGD_MEDIAN_ISA_NONE;
}

int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out) {
    /* The CPU's answer, asked once; threads that race here all store the same value. */
    static _Atomic int best = -1;
    int known = atomic_load_explicit(&best, memory_order_relaxed);
    if (known < 0) {
        known = brsgd_median_best_isa();
        atomic_store_explicit(&best, known, memory_order_relaxed);
    }
    if (isa > known) return 0;
    switch (isa) {
    case BRSGD_MEDIAN_ISA_AVX512: return brsgd_median16_avx512(row_count, rows, column, out);
    case BRSGD_MEDIAN_ISA_AVX2: return brsgd_median16_avx2(row_count, rows, column, out);
    default: return 0;
    }
}
#else
int brsgd_median_best_isa(void) { return BRSGD_MEDIAN_ISA_NONE; }

int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out) {
    (void)isa; (void)row_count; (void)rows; (void)column; (void)out;
    return 0;
}
#endif
