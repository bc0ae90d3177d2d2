/* Runs the median networks (median_networks.generated.c) in the instruction set asked for,
 * where BRSGD_KERNELS and the CPU allow it. */
#include "aggregation_kernels.h"

#include <stdatomic.h>

#if BRSGD_KERNELS_X86
int brsgd_median16_avx512(int row_count, const float *const *rows, ptrdiff_t column, float *out);
int brsgd_median16_avx2(int row_count, const float *const *rows, ptrdiff_t column, float *out);

int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out) {
    if (isa > brsgd_selected_isa()) return 0;
    switch (isa) {
    case BRSGD_ISA_AVX512: return brsgd_median16_avx512(row_count, rows, column, out);
    case BRSGD_ISA_AVX2: return brsgd_median16_avx2(row_count, rows, column, out);
    default: return 0;
    }
}
#else
int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out) {
    (void)isa; (void)row_count; (void)rows; (void)column; (void)out;
    return 0;
}
#endif
