/* What the AVX-512 tile kernels (brsgd_tile.c, move_and_measure_tile.c) share: the copy of 16
 * columns of m rows into a tile, and the switch that instantiates a kernel for each row count
 * 1...32 so that its row loops unroll. Internal to CAggregationKernels. */
#ifndef BRSGD_TILE_AVX512_H
#define BRSGD_TILE_AVX512_H

#include "aggregation_kernels.h"

#if BRSGD_KERNELS_X86
#include <immintrin.h>

/* Copies rows[r][column ..< column + 16] to tile + 16r for r in 0..<m and returns their sum,
 * rows added in order (x0 + x1 + …), as TileCopies does; with `summing` false the sum is row 0. */
__attribute__((target("avx512f"), always_inline))
static inline __m512 brsgd_copy_tile16(const int m, const float *const *rows, ptrdiff_t column, float *tile,
                                       const int summing) {
    __m512 sum = _mm512_loadu_ps(rows[0] + column);
    _mm512_storeu_ps(tile, sum);
#pragma clang loop unroll(full)
    for (int r = 1; r < m; r++) {
        __m512 x = _mm512_loadu_ps(rows[r] + column);
        _mm512_storeu_ps(tile + 16 * r, x);
        if (summing) sum = _mm512_add_ps(sum, x);
    }
    return sum;
}

/* CASE(m) for every row count a tile kernel takes. */
#define BRSGD_TILE_ROW_COUNTS(CASE) \
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) \
    CASE(9) CASE(10) CASE(11) CASE(12) CASE(13) CASE(14) CASE(15) CASE(16) \
    CASE(17) CASE(18) CASE(19) CASE(20) CASE(21) CASE(22) CASE(23) CASE(24) \
    CASE(25) CASE(26) CASE(27) CASE(28) CASE(29) CASE(30) CASE(31) CASE(32)

int brsgd_median16_avx512(int row_count, const float *const *rows, ptrdiff_t column, float *out);
#endif

#endif
