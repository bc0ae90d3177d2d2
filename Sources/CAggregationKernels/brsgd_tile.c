/* BrSGD's tile step (Algorithm 2, steps 1–3, for 16 columns) in AVX-512: the operations of
 * BrSGDBlockKernel.fullTile and TileCopies in RobustAggregation, lane by lane and in the same
 * order, so the same bits (see aggregation_kernels.h). */
#include "tile_avx512.h"

#if BRSGD_KERNELS_X86
#pragma clang fp contract(off)

/* One tile for a row count known at compile time (each case of the switch below), so that
 * the row loops unroll into one load per row: the processor's per-instruction stride
 * prefetcher then follows each row, as it does the Swift kernel's written-out copies. */
__attribute__((target("avx512f"), always_inline))
static inline int tile16(const int m, const float *const *rows, ptrdiff_t column, float *tile, float *median,
                         int32_t *score_lanes, float *distance_lanes) {
    /* 1. Copy, and the column means: rows added in order, x0 + x1 + …, then / m. */
    const __m512 sum = brsgd_copy_tile16(m, rows, column, tile, 1);
    const __m512 a = _mm512_div_ps(sum, _mm512_set1_ps((float)m));
    /* 2. count = #{i : x_i ≥ a}; sign = ((2·count − m) >> 31) | 1; scores += sign where x ≥ a. */
    __m512i count = _mm512_setzero_si512();
    const __m512i one = _mm512_set1_epi32(1);
#pragma clang loop unroll(full)
    for (int r = 0; r < m; r++) {
        __mmask16 ge = _mm512_cmp_ps_mask(_mm512_loadu_ps(tile + 16 * r), a, _CMP_GE_OQ);
        count = _mm512_mask_add_epi32(count, ge, count, one);
    }
    const __m512i sign = _mm512_or_si512(
        _mm512_srai_epi32(_mm512_sub_epi32(_mm512_slli_epi32(count, 1), _mm512_set1_epi32(m)), 31), one);
#pragma clang loop unroll(full)
    for (int r = 0; r < m; r++) {
        __mmask16 ge = _mm512_cmp_ps_mask(_mm512_loadu_ps(tile + 16 * r), a, _CMP_GE_OQ);
        __m512i s = _mm512_loadu_si512(score_lanes + 16 * r);
        _mm512_storeu_si512(score_lanes + 16 * r, _mm512_mask_add_epi32(s, ge, s, sign));
    }
    /* 3. The median of the 16 columns (the network on the tile), then |x − median| per row. */
    const float *tile_rows[32];
#pragma clang loop unroll(full)
    for (int r = 0; r < m; r++) tile_rows[r] = tile + 16 * r;
    brsgd_median16_avx512(m, tile_rows, 0, median);
    const __m512 med = _mm512_loadu_ps(median);
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
#pragma clang loop unroll(full)
    for (int r = 0; r < m; r++) {
        __m512 difference = _mm512_sub_ps(_mm512_loadu_ps(tile + 16 * r), med);
        __m512 absolute = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(difference), magnitude));
        _mm512_storeu_ps(distance_lanes + 16 * r, _mm512_add_ps(_mm512_loadu_ps(distance_lanes + 16 * r), absolute));
    }
    /* Finite: no lane's exponent field all ones. */
    const __m512i exponent = _mm512_set1_epi32(0x7F800000);
    return _mm512_cmpeq_epi32_mask(_mm512_and_si512(_mm512_castps_si512(a), exponent), exponent) == 0;
}

#define TILE_CASE(m) case m: return tile16(m, rows, column, tile, median, score_lanes, distance_lanes);

__attribute__((target("avx512f")))
static int tile16_any(int m, const float *const *rows, ptrdiff_t column, float *tile, float *median,
                      int32_t *score_lanes, float *distance_lanes) {
    switch (m) {
    BRSGD_TILE_ROW_COUNTS(TILE_CASE)
    default: return -1;
    }
}

int brsgd_brsgd_tile16(int row_count, const float *const *rows, ptrdiff_t column, float *tile, float *median,
                       int32_t *score_lanes, float *distance_lanes) {
    if (brsgd_selected_isa() < BRSGD_ISA_AVX512) return -1;
    return tile16_any(row_count, rows, column, tile, median, score_lanes, distance_lanes);
}
#else
int brsgd_brsgd_tile16(int row_count, const float *const *rows, ptrdiff_t column, float *tile, float *median,
                       int32_t *score_lanes, float *distance_lanes) {
    (void)row_count; (void)rows; (void)column; (void)tile; (void)median; (void)score_lanes; (void)distance_lanes;
    return -1;
}
#endif
