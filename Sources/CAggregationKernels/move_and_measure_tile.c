/* The iterative rules' fused tile (geometric median, centered clipping) in AVX-512: the
 * operations of MoveAndMeasure.block in RobustAggregation for one full tile of 16 columns,
 * lane by lane and in the same order, so the same bits (see aggregation_kernels.h). */
#include "tile_avx512.h"

#if BRSGD_KERNELS_X86
#pragma clang fp contract(off)

/* One tile for a row count known at compile time (each case below), the row loops unrolled. */
__attribute__((target("avx512f"), always_inline))
static inline int tile16(const int m, const float *const *rows, ptrdiff_t column, float *tile, int update,
                         const float *weights, float *point, float *sums) {
    /* The copy, with the rows' sum in order when the update is the mean. */
    const __m512 sum = brsgd_copy_tile16(m, rows, column, tile, update == BRSGD_UPDATE_MEAN);
    switch (update) {
    case BRSGD_UPDATE_MEAN:
        _mm512_storeu_ps(point, _mm512_div_ps(sum, _mm512_set1_ps((float)m)));
        break;
    case BRSGD_UPDATE_MEDIAN: {
        const float *tile_rows[32];
#pragma clang loop unroll(full)
        for (int r = 0; r < m; r++) tile_rows[r] = tile + 16 * r;
        brsgd_median16_avx512(m, tile_rows, 0, point);
        break;
    }
    case BRSGD_UPDATE_MOVE: {
        /* step = Σ_i w_i · (x_i − old), rows in order from 0; point = old + step. */
        const __m512 old = _mm512_loadu_ps(point);
        __m512 step = _mm512_setzero_ps();
#pragma clang loop unroll(full)
        for (int r = 0; r < m; r++) {
            __m512 term = _mm512_mul_ps(_mm512_set1_ps(weights[r]), _mm512_sub_ps(_mm512_loadu_ps(tile + 16 * r), old));
            step = _mm512_add_ps(step, term);
        }
        _mm512_storeu_ps(point, _mm512_add_ps(old, step));
        break;
    }
    default:
        break;
    }
    if (sums) {
        /* sums[r] += (x_r − point)², per lane. */
        const __m512 q = _mm512_loadu_ps(point);
#pragma clang loop unroll(full)
        for (int r = 0; r < m; r++) {
            __m512 difference = _mm512_sub_ps(_mm512_loadu_ps(tile + 16 * r), q);
            _mm512_storeu_ps(sums + 16 * r,
                             _mm512_add_ps(_mm512_loadu_ps(sums + 16 * r), _mm512_mul_ps(difference, difference)));
        }
    }
    return 1;
}

#define TILE_CASE(m) case m: return tile16(m, rows, column, tile, update, weights, point, sums);

__attribute__((target("avx512f")))
static int tile16_any(int m, const float *const *rows, ptrdiff_t column, float *tile, int update,
                      const float *weights, float *point, float *sums) {
    switch (m) {
    BRSGD_TILE_ROW_COUNTS(TILE_CASE)
    default: return -1;
    }
}

int brsgd_move_and_measure_tile16(int row_count, const float *const *rows, ptrdiff_t column, float *tile,
                                  int update, const float *weights, float *point, float *sums) {
    if (brsgd_selected_isa() < BRSGD_ISA_AVX512) return -1;
    if (update < BRSGD_UPDATE_NONE || update > BRSGD_UPDATE_MOVE) return -1;
    return tile16_any(row_count, rows, column, tile, update, weights, point, sums);
}
#else
int brsgd_move_and_measure_tile16(int row_count, const float *const *rows, ptrdiff_t column, float *tile,
                                  int update, const float *weights, float *point, float *sums) {
    (void)row_count; (void)rows; (void)column; (void)tile; (void)update; (void)weights; (void)point; (void)sums;
    return -1;
}
#endif
