/* The Gram matrix of m rows over one column block (PairwiseDistances' dot products) in
 * AVX-512: the sums of GramKernel.swiftBlock in RobustAggregation, lane by lane and in the
 * same order, so the same bits (see aggregation_kernels.h). */
#include "tile_avx512.h"

#include <stdlib.h>
#include <string.h>

#if BRSGD_KERNELS_X86
#pragma clang fp contract(off)

/* Floats of one sub-tile of all (padded) rows: 24 KB, inside the L1 cache of the CPUs that
 * run AVX-512 (32 KB on Zen 4, 48 KB on Sapphire Rapids). */
enum { SUBTILE_FLOATS = 6144, CHUNK = 32, MAX_ROWS = 64 };

/* Adds x_a · y_b over `chunks` chunks, one 16-lane half (`half` = 0: columns 32k ..< 32k + 16,
 * 1: 32k + 16 ..< 32k + 32) to the 16 accumulators of the pairs (i + a, j + b), a, b < 4
 * (accumulator 4a + b, 16 floats each, at `acc`), rows read from the scratch (row r at r · span
 * floats). Each lane gathers its columns k = 0, 1, … in order, a product then a sum. */
__attribute__((target("avx512f"), always_inline))
static inline void micro4x4(const float *scratch, ptrdiff_t span, int i, int j, int half, int chunks, float *acc) {
    const float *x0 = scratch + i * span + 16 * half, *x1 = x0 + span, *x2 = x1 + span, *x3 = x2 + span;
    const float *y0 = scratch + j * span + 16 * half, *y1 = y0 + span, *y2 = y1 + span, *y3 = y2 + span;
    __m512 a[16];
#pragma clang loop unroll(full)
    for (int p = 0; p < 16; p++) a[p] = _mm512_load_ps(acc + 16 * p);
    for (int k = 0; k < chunks; k++) {
        const ptrdiff_t c = (ptrdiff_t)k * CHUNK;
        const __m512 u0 = _mm512_load_ps(x0 + c), u1 = _mm512_load_ps(x1 + c);
        const __m512 u2 = _mm512_load_ps(x2 + c), u3 = _mm512_load_ps(x3 + c);
        const __m512 v0 = _mm512_load_ps(y0 + c), v1 = _mm512_load_ps(y1 + c);
        const __m512 v2 = _mm512_load_ps(y2 + c), v3 = _mm512_load_ps(y3 + c);
        a[0] = _mm512_add_ps(a[0], _mm512_mul_ps(u0, v0));
        a[1] = _mm512_add_ps(a[1], _mm512_mul_ps(u0, v1));
        a[2] = _mm512_add_ps(a[2], _mm512_mul_ps(u0, v2));
        a[3] = _mm512_add_ps(a[3], _mm512_mul_ps(u0, v3));
        a[4] = _mm512_add_ps(a[4], _mm512_mul_ps(u1, v0));
        a[5] = _mm512_add_ps(a[5], _mm512_mul_ps(u1, v1));
        a[6] = _mm512_add_ps(a[6], _mm512_mul_ps(u1, v2));
        a[7] = _mm512_add_ps(a[7], _mm512_mul_ps(u1, v3));
        a[8] = _mm512_add_ps(a[8], _mm512_mul_ps(u2, v0));
        a[9] = _mm512_add_ps(a[9], _mm512_mul_ps(u2, v1));
        a[10] = _mm512_add_ps(a[10], _mm512_mul_ps(u2, v2));
        a[11] = _mm512_add_ps(a[11], _mm512_mul_ps(u2, v3));
        a[12] = _mm512_add_ps(a[12], _mm512_mul_ps(u3, v0));
        a[13] = _mm512_add_ps(a[13], _mm512_mul_ps(u3, v1));
        a[14] = _mm512_add_ps(a[14], _mm512_mul_ps(u3, v2));
        a[15] = _mm512_add_ps(a[15], _mm512_mul_ps(u3, v3));
    }
#pragma clang loop unroll(full)
    for (int p = 0; p < 16; p++) _mm512_store_ps(acc + 16 * p, a[p]);
}

__attribute__((target("avx512f")))
static void gram_block_avx512(int m, const float *const *rows, ptrdiff_t start, ptrdiff_t width, double *gram,
                              float *scratch, float *acc, int padded, ptrdiff_t span) {
    const int blocks = padded / 4;
    const ptrdiff_t chunks = width / CHUNK;
    ptrdiff_t first = 0;
    while (first < chunks) {
        const int n = (int)(chunks - first < span / CHUNK ? chunks - first : span / CHUNK);
        /* The sub-tile's columns of every row, contiguous (row r at r · span); padding rows stay 0. */
        for (int r = 0; r < m; r++) {
            const float *source = rows[r] + start + first * CHUNK;
            float *target = scratch + r * span;
            for (int k = 0; k < n * CHUNK; k += 16) _mm512_store_ps(target + k, _mm512_loadu_ps(source + k));
        }
        float *tile_acc = acc;
        for (int bi = 0; bi < blocks; bi++) {
            for (int bj = bi; bj < blocks; bj++) {
                micro4x4(scratch, span, 4 * bi, 4 * bj, 0, n, tile_acc);
                micro4x4(scratch, span, 4 * bi, 4 * bj, 1, n, tile_acc + 256);
                tile_acc += 512;
            }
        }
        first += n;
    }
    /* Per pair: the halves added lane by lane, the 16 lanes in Double in order, then the tail. */
    const ptrdiff_t tail = start + chunks * CHUNK, end = start + width;
    const float *tile_acc = acc;
    for (int bi = 0; bi < blocks; bi++) {
        for (int bj = bi; bj < blocks; bj++) {
            for (int p = 0; p < 16; p++) {
                const int i = 4 * bi + p / 4, j = 4 * bj + p % 4;
                if (j < i || j >= m) continue;
                float low[16];
                _mm512_storeu_ps(low, _mm512_add_ps(_mm512_load_ps(tile_acc + 16 * p),
                                                    _mm512_load_ps(tile_acc + 256 + 16 * p)));
                double total = 0.0;
                for (int l = 0; l < 16; l++) total += (double)low[l];
                const float *x = rows[i], *y = rows[j];
                for (ptrdiff_t c = tail; c < end; c++) total += (double)(x[c] * y[c]);
                gram[i * m + j] = total;
            }
            tile_acc += 512;
        }
    }
}

int brsgd_gram_block(int row_count, const float *const *rows, ptrdiff_t start, ptrdiff_t width, double *gram) {
    if (row_count < 1 || row_count > MAX_ROWS || width < 0) return -1;
    if (brsgd_selected_isa() < BRSGD_ISA_AVX512) return -1;
    const int padded = (row_count + 3) / 4 * 4;
    const int blocks = padded / 4;
    /* Columns of a sub-tile: all padded rows in SUBTILE_FLOATS, whole chunks, at least one. */
    ptrdiff_t span = SUBTILE_FLOATS / padded / CHUNK * CHUNK;
    if (span < CHUNK) span = CHUNK;
    if (span > 512) span = 512;
    const size_t scratch_floats = (size_t)padded * (size_t)span;
    const size_t acc_floats = (size_t)(blocks * (blocks + 1) / 2) * 512;   /* 4 × 4 pairs × 2 halves × 16 lanes */
    float *buffer = aligned_alloc(64, (scratch_floats + acc_floats) * sizeof(float));
    if (buffer == NULL) return -1;
    memset(buffer, 0, (scratch_floats + acc_floats) * sizeof(float));
    gram_block_avx512(row_count, rows, start, width, gram, buffer, buffer + scratch_floats, padded, span);
    free(buffer);
    return 1;
}
#else
int brsgd_gram_block(int row_count, const float *const *rows, ptrdiff_t start, ptrdiff_t width, double *gram) {
    (void)row_count; (void)rows; (void)start; (void)width; (void)gram;
    return -1;
}
#endif
