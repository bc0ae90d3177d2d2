/* A convolution's transposed weight gradient for 16 output channels in AVX-512 (see
 * neural_kernels.h): each entry one chain of fused multiply-adds in order, as OpenBLAS's packed
 * SGEMM kernel forms it, 16 channels to a vector. */
#include "neural_kernels.h"
#include "shared_steps.h"

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

/* The most positions (columns of ∂Y) the kernel takes: ∂Yᵀ (n × 16 floats) lives on the stack. */
enum { WG_MAX_POSITIONS = 512, WG_ROW_BLOCK = 12 };

/* ∂Y ([16][n], row stride n) into ∂Yᵀ ([n][16]), 16 positions at a time by a 16 × 16 transpose
 * in registers (scalar for the last n mod 16). */
__attribute__((target("avx512f")))
void brsgd_transpose_output_gradient16(const float *dy, int n, float *dyT) {
    int k = 0;
    for (; k + 16 <= n; k += 16) {
        __m512 r[16];
        for (int j = 0; j < 16; j++) r[j] = _mm512_loadu_ps(dy + (ptrdiff_t)j * n + k);
        /* Transpose 16 × 16 through 4 stages of 2 × 2 block swaps. */
        __m512 t[16];
        for (int j = 0; j < 16; j += 2) {
            t[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
            t[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
        }
        for (int j = 0; j < 16; j += 4) {
            r[j] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
            r[j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
            r[j + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
            r[j + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
        }
        /* r[4q + p] now holds, in each 128-bit quarter c, rows 4q..4q+3 of column 4c + p. */
        for (int j = 0; j < 16; j += 8) {
            for (int p = 0; p < 4; p++) {
                t[j + p] = _mm512_shuffle_f32x4(r[j + p], r[j + 4 + p], 0x88);      /* quarters 0, 2 | 0, 2 */
                t[j + 4 + p] = _mm512_shuffle_f32x4(r[j + p], r[j + 4 + p], 0xDD);  /* quarters 1, 3 | 1, 3 */
            }
        }
        for (int p = 0; p < 4; p++) {
            r[p] = _mm512_shuffle_f32x4(t[p], t[8 + p], 0x88);
            r[8 + p] = _mm512_shuffle_f32x4(t[p], t[8 + p], 0xDD);
            r[4 + p] = _mm512_shuffle_f32x4(t[4 + p], t[12 + p], 0x88);
            r[12 + p] = _mm512_shuffle_f32x4(t[4 + p], t[12 + p], 0xDD);
        }
        /* r[q] now holds position k + q's 16 channels: row q of ∂Yᵀ. */
        for (int c = 0; c < 4; c++) {
            for (int p = 0; p < 4; p++) {
                _mm512_storeu_ps(dyT + (ptrdiff_t)(k + 4 * c + p) * 16, r[4 * c + p]);
            }
        }
    }
    for (; k < n; k++) {
        for (int j = 0; j < 16; j++) dyT[k * 16 + j] = dy[(ptrdiff_t)j * n + k];
    }
}

/* Rows i0 ..< i0 + R of ∂Wᵀ: acc_r = fma(columns[i0 + r][k], ∂Yᵀ[k], acc_r) for k in order from
 * acc_r = 0, then c[i0 + r] = acc_r, or acc_r + c[i0 + r] when accumulating. */
__attribute__((target("avx512f"), always_inline))
static inline void row_block(const int R, const float *columns, int n, const float *dyT, float *c, int accumulate) {
    __m512 acc[WG_ROW_BLOCK];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
    for (int k = 0; k < n; k++) {
        const __m512 b = _mm512_load_ps(dyT + (ptrdiff_t)k * 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(columns[(ptrdiff_t)r * n + k]), b, acc[r]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        __m512 out = acc[r];
        if (accumulate) out = _mm512_add_ps(out, _mm512_loadu_ps(c + r * 16));
        _mm512_storeu_ps(c + r * 16, out);
    }
}

__attribute__((target("avx512f")))
static void weight_gradient_avx512(const float *columns, int rows, int n, const float *dy, float *c, int accumulate) {
    float dyT[WG_MAX_POSITIONS * 16] __attribute__((aligned(64)));
    brsgd_transpose_output_gradient16(dy, n, dyT);
    int i = 0;
    for (; i + WG_ROW_BLOCK <= rows; i += WG_ROW_BLOCK) {
        row_block(WG_ROW_BLOCK, columns + (ptrdiff_t)i * n, n, dyT, c + (ptrdiff_t)i * 16, accumulate);
    }
    const float *a = columns + (ptrdiff_t)i * n;
    float *out = c + (ptrdiff_t)i * 16;
    switch (rows - i) {
#define REST(R) case R: row_block(R, a, n, dyT, out, accumulate); break;
        REST(1) REST(2) REST(3) REST(4) REST(5) REST(6) REST(7) REST(8) REST(9) REST(10) REST(11)
#undef REST
        default: break;
    }
}

int brsgd_weight_gradient_out16(const float *columns, int rows, int positions, const float *output_gradient,
                                float *transposed_gradient, int accumulates) {
    if (!brsgd_neural_kernels_available() || rows < 1 || positions < 1 || positions > WG_MAX_POSITIONS) return 0;
    weight_gradient_avx512(columns, rows, positions, output_gradient, transposed_gradient, accumulates);
    return 1;
}

#else

int brsgd_weight_gradient_out16(const float *columns, int rows, int positions, const float *output_gradient,
                                float *transposed_gradient, int accumulates) {
    (void)columns; (void)rows; (void)positions; (void)output_gradient; (void)transposed_gradient; (void)accumulates;
    return 0;
}

#endif
