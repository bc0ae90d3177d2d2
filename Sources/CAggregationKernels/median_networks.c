/* Chooses the instruction set of the median networks (median_networks.generated.c). */
#include "aggregation_kernels.h"

#include <stdatomic.h>

#if BRSGD_KERNELS_X86
int brsgd_cached_best_isa(void);
int brsgd_median16_avx512(int row_count, const float *const *rows, ptrdiff_t column, float *out);
int brsgd_median16_avx2(int row_count, const float *const *rows, ptrdiff_t column, float *out);

int brsgd_best_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return BRSGD_ISA_AVX512;
    if (__builtin_cpu_supports("avx2")) return BRSGD_ISA_AVX2;
    return BRSGD_ISA_NONE;
}

int brsgd_cached_best_isa(void) {
    /* The CPU's answer, asked once; threads that race here all store the same value. */
    static _Atomic int best = -1;
    int known = atomic_load_explicit(&best, memory_order_relaxed);
    if (known < 0) {
        known = brsgd_best_isa();
        atomic_store_explicit(&best, known, memory_order_relaxed);
    }
    return known;
}

int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out) {
    if (isa > brsgd_cached_best_isa()) return 0;
    switch (isa) {
    case BRSGD_ISA_AVX512: return brsgd_median16_avx512(row_count, rows, column, out);
    case BRSGD_ISA_AVX2: return brsgd_median16_avx2(row_count, rows, column, out);
    default: return 0;
    }
}
#else
int brsgd_best_isa(void) { return BRSGD_ISA_NONE; }

int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out) {
    (void)isa; (void)row_count; (void)rows; (void)column; (void)out;
    return 0;
}
#endif
