/* A convolution's transposed weight gradient for 6 output channels in AVX-512 (see
 * neural_kernels.h): each entry's sixteen lane sums and their reduction tree as OpenBLAS's
 * small-matrix "TN" SGEMM kernel forms them, with ∂Y and the columns read from L1. */
#include "neural_kernels.h"
#include "small_tn_reduction.h"

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#include <stddef.h>

/* Six channels; up to 64 rows (their lane sums, 24 KiB, live on the stack); positions taken
 * 256 at a time so that the chunk of ∂Y (6 KiB) and of four columns (4 KiB) stay in L1. */
enum { W6_OUT = 6, W6_MAX_ROWS = 64, W6_CHUNK = 256 };

/* R rows' lane sums (lanes[r][o][16]) go on over one chunk: `vectors` full 16-position vectors
 * of the packed ∂Y (packed[v][o][16]) and of the columns from `x` (row stride n), then, with
 * `tail`, one more whose lanes past `tail` are zero in both (a multiply-add of zeros, as the
 * kernel's masked last step). */
__attribute__((target("avx512f"), always_inline))
static inline void lane_sums(const int R, const float *packed, int vectors, int tail, const float *x, ptrdiff_t n,
                             float *lanes, int first) {
    __m512 acc[4][W6_OUT];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int o = 0; o < W6_OUT; o++) {
            acc[r][o] = first ? _mm512_setzero_ps() : _mm512_load_ps(lanes + (r * W6_OUT + o) * 16);
        }
    }
    const int steps = vectors + (tail > 0);
    for (int v = 0; v < steps; v++) {
        const __mmask16 mask = v < vectors ? (__mmask16)0xFFFF : (__mmask16)((1u << tail) - 1);
        __m512 column[4];
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) column[r] = _mm512_maskz_loadu_ps(mask, x + r * n + v * 16);
#pragma clang loop unroll(full)
        for (int o = 0; o < W6_OUT; o++) {
            const __m512 dy = _mm512_load_ps(packed + (v * W6_OUT + o) * 16);
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) acc[r][o] = _mm512_fmadd_ps(dy, column[r], acc[r][o]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int o = 0; o < W6_OUT; o++) _mm512_store_ps(lanes + (r * W6_OUT + o) * 16, acc[r][o]);
    }
}

__attribute__((target("avx512f")))
static void weight_gradient_out6_avx512(const float *columns, int rows, int n, const float *dy, float *c,
                                        int accumulate) {
    float lanes[W6_MAX_ROWS * W6_OUT * 16] __attribute__((aligned(64)));
    float packed[(W6_CHUNK / 16) * W6_OUT * 16] __attribute__((aligned(64)));
    for (int k0 = 0; k0 < n; k0 += W6_CHUNK) {
        const int length = n - k0 < W6_CHUNK ? n - k0 : W6_CHUNK;
        const int vectors = length / 16, tail = length % 16;
        for (int v = 0; v < vectors + (tail > 0); v++) {
            const __mmask16 mask = v < vectors ? (__mmask16)0xFFFF : (__mmask16)((1u << tail) - 1);
            for (int o = 0; o < W6_OUT; o++) {
                _mm512_store_ps(packed + (v * W6_OUT + o) * 16,
                                _mm512_maskz_loadu_ps(mask, dy + (ptrdiff_t)o * n + k0 + v * 16));
            }
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            lane_sums(4, packed, vectors, tail, columns + (ptrdiff_t)r * n + k0, n, lanes + r * W6_OUT * 16, k0 == 0);
        }
        for (; r < rows; r++) {
            lane_sums(1, packed, vectors, tail, columns + (ptrdiff_t)r * n + k0, n, lanes + r * W6_OUT * 16, k0 == 0);
        }
    }
    /* OpenBLAS's blocks: channels 0-3 by 4 (every row), channels 4-5 by 2, whose rows past the
     * last whole 4 are reduced one entry at a time. */
    small_tn_reduce(lanes, rows, W6_OUT, c, accumulate);
}

int brsgd_weight_gradient_out6(const float *columns, int rows, int positions, const float *output_gradient,
                               float *transposed_gradient, int accumulates) {
    if (!brsgd_neural_kernels_available() || rows < 1 || rows > W6_MAX_ROWS || positions < 1) return 0;
    weight_gradient_out6_avx512(columns, rows, positions, output_gradient, transposed_gradient, accumulates);
    return 1;
}

#else

int brsgd_weight_gradient_out6(const float *columns, int rows, int positions, const float *output_gradient,
                               float *transposed_gradient, int accumulates) {
    (void)columns; (void)rows; (void)positions; (void)output_gradient; (void)transposed_gradient; (void)accumulates;
    return 0;
}

#endif

int brsgd_small_tn_permits(long m, long n, long k) {
    return m * n <= 1200 && k >= 32 && (double)m * (double)n * (double)k <= 1e6;
}
