/* LeNet's three products that OpenBLAS runs with its Haswell SGEMM kernel (0.3.21,
 * sgemm_kernel_8x4_haswell_2.c, one thread; the kernel Debian's OpenBLAS picks on an AMD EPYC
 * of CPU family 26, Zen 5, whose corename it reports as Haswell), formed in AVX-512 in that
 * kernel's order of multiply-adds, so the same bits, without its packing (see neural_kernels.h). The order, per entry of C:
 *
 * - Each of the kernel's k blocks (GEMM_Q = 320 positions; a rest between 320 and 640 halved,
 *   rounded up to 8) is a chain of fused multiply-adds from +0, then C = chain + C (C zeroed
 *   first when β = 0, left as it is when β = 1).
 * - The chain is split in two where the kernel unrolls k by two into two sets of accumulators
 *   (its 8 × 4 tile, and the first 8 × 6 of a 16 × 12 block and the last 8 × 6 of an M of 16):
 *   the even k below 8·⌊K/8⌋ and every k from there on in one sum, the odd k below it in the
 *   other, and the two added. Everywhere else it is one chain in order.
 *
 * Which entries are split follows from the kernel's tiles (its m is our product's columns, its
 * n our rows, as cblas_sgemm's row-major call turns around), stated in each kernel below. */
#include "neural_kernels.h"
#include "shared_steps.h"

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#include <stddef.h>
#pragma clang fp contract(off)

enum { HW_Q = 320, HW_UNROLL_M = 8 };

/* The end of the k block that starts at `start` of `positions` (OpenBLAS's level-3 driver). */
static long hw_block_end(long start, long positions) {
    long length = positions - start;
    if (length >= 2L * HW_Q) length = HW_Q;
    else if (length > HW_Q) length = (length / 2 + HW_UNROLL_M - 1) / HW_UNROLL_M * HW_UNROLL_M;
    return start + length;
}

/* ---- ∂Wᵀ for 16 output channels (LeNet's second convolution) --------------------------------
 * Kernel m = 16 channels, n = rows, k = positions in the driver's blocks (400 positions, a
 * micro-batch of 4: two of 200). For each block the driver hands the kernel 12 rows at a time
 * while 12 remain, then 4 while more than 4 remain, then what is left: in a block of 12 the
 * first 6 rows are split (its 8 × 6 head and tail) and the last 6 are not; a block of 4 is
 * split (8 × 4 tiles); one of 1–3 rows is not. */

enum { HW_WG_MAX_POSITIONS = 512 };

/* Rows i0 ..< i0 + R of ∂Wᵀ over one k block of `length` positions (`columns` and `dyT` at its
 * start, the columns' rows `stride` apart), each as one chain, or as the two split sums when
 * `split`; then added to c when `accumulate`. */
__attribute__((target("avx512f"), always_inline))
static inline void hw_row_block(const int R, const int split, const float *columns, ptrdiff_t stride, int length,
                                const float *dyT, float *c, int accumulate) {
    __m512 even[6], odd[6];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) even[r] = odd[r] = _mm512_setzero_ps();
    int k = 0;
    if (split) {
        const int paired = length / 8 * 8;
        for (; k < paired; k += 2) {
            const __m512 b0 = _mm512_load_ps(dyT + (ptrdiff_t)k * 16), b1 = _mm512_load_ps(dyT + (ptrdiff_t)(k + 1) * 16);
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) {
                even[r] = _mm512_fmadd_ps(_mm512_set1_ps(columns[r * stride + k]), b0, even[r]);
                odd[r] = _mm512_fmadd_ps(_mm512_set1_ps(columns[r * stride + k + 1]), b1, odd[r]);
            }
        }
    }
    for (; k < length; k++) {
        const __m512 b = _mm512_load_ps(dyT + (ptrdiff_t)k * 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) even[r] = _mm512_fmadd_ps(_mm512_set1_ps(columns[r * stride + k]), b, even[r]);
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        __m512 out = split ? _mm512_add_ps(even[r], odd[r]) : even[r];
        if (accumulate) out = _mm512_add_ps(out, _mm512_loadu_ps(c + r * 16));
        _mm512_storeu_ps(c + r * 16, out);
    }
}

/* `count` rows (at most 6) from row i over the k block [start, start + length). */
__attribute__((target("avx512f")))
static void hw_rows(int i, int count, int split, const float *columns, int n, long start, int length, const float *dyT,
                    float *c, int accumulate) {
    const float *a = columns + (ptrdiff_t)i * n + start;
    const float *b = dyT + start * 16;
    float *out = c + (ptrdiff_t)i * 16;
    switch (count * 2 + (split ? 1 : 0)) {
#define ROWS(R) \
        case 2 * R: hw_row_block(R, 0, a, n, length, b, out, accumulate); break; \
        case 2 * R + 1: hw_row_block(R, 1, a, n, length, b, out, accumulate); break;
        ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6)
#undef ROWS
        default: break;
    }
}

__attribute__((target("avx512f")))
static void hw_weight_gradient_out16(const float *columns, int rows, int n, const float *dy, float *c, int accumulate) {
    float dyT[HW_WG_MAX_POSITIONS * 16] __attribute__((aligned(64)));
    brsgd_transpose_output_gradient16(dy, n, dyT);
    for (long start = 0; start < n; start = hw_block_end(start, n)) {
        const int length = (int)(hw_block_end(start, n) - start);
        /* The first block overwrites (β = 0) or adds to the old value; the later ones add. */
        const int adds = accumulate || start > 0;
        int i = 0;
        for (; rows - i >= 12; i += 12) {
            hw_rows(i, 6, 1, columns, n, start, length, dyT, c, adds);
            hw_rows(i + 6, 6, 0, columns, n, start, length, dyT, c, adds);
        }
        /* The driver's later blocks have 4 rows while more than 4 are left (its block of 8 is
         * commented out in 0.3.21), then what is left: 4 rows split, 1–3 not. */
        for (; rows - i >= 4; i += 4) hw_rows(i, 4, 1, columns, n, start, length, dyT, c, adds);
        if (rows > i) hw_rows(i, rows - i, 0, columns, n, start, length, dyT, c, adds);
    }
}

int brsgd_weight_gradient_out16_haswell(const float *columns, int rows, int positions, const float *output_gradient,
                                        float *transposed_gradient, int accumulates) {
    if (!brsgd_neural_kernels_available() || rows < 1 || positions < 1 || positions > HW_WG_MAX_POSITIONS) return 0;
    hw_weight_gradient_out16(columns, rows, positions, output_gradient, transposed_gradient, accumulates);
    return 1;
}

/* ---- LeNet's first convolution (1 → 6 channels) from the zero-padded image -------------------
 * Forward, W · im2col(x) + bias: kernel m = positions (in tiles of 8), n = 6 filters, k = the
 * taps. Filters 0-3 are an 8 × 4 tile (split), filters 4-5 an 8 × 2 one (one chain).
 * ∂Wᵀ = im2col(x) · ∂Yᵀ: kernel m = 6 filters (tiles of 4 and 2, never split), n = the taps,
 * k = the positions in blocks of 320: one chain per block. */

enum { HW_SC_OUT = 6, HW_SC_MAX_TAPS = 25, HW_SC_SPLIT_FILTERS = 4 };

int brsgd_single_channel_convolution_fits_haswell(int height, int width, int batch, int kernel, int padding) {
    /* Whole vectors of positions in each output row, so whole 8-position tiles of the kernel. */
    return sc_has_vector_rows(height, width, batch, kernel, padding, HW_SC_MAX_TAPS);
}

/* NV row vectors from q0 of output row i: filters below 4 as the two split sums over the
 * taps, the others as one chain, then output (holding the bias) += the sum. */
#define HW_FORWARD_GROUP(NV)                                                                            \
    do {                                                                                                \
        __m512 acc[NV][HW_SC_OUT], odd[NV][HW_SC_SPLIT_FILTERS];                                        \
        _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) {                               \
            _Pragma("clang loop unroll(full)") for (int o = 0; o < HW_SC_OUT; o++) acc[q][o] = _mm512_setzero_ps(); \
            _Pragma("clang loop unroll(full)") for (int o = 0; o < HW_SC_SPLIT_FILTERS; o++) odd[q][o] = _mm512_setzero_ps(); \
        }                                                                                               \
        const float *line = padded + i * g.padded_row + q0 * 16;                                        \
        int t = 0;                                                                                      \
        for (; t < paired; t += 2) {                                                                    \
            __m512 x0[NV], x1[NV];                                                                      \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) {                           \
                x0[q] = _mm512_loadu_ps(line + offset[t] + q * 16);                                   \
                x1[q] = _mm512_loadu_ps(line + offset[t + 1] + q * 16);                               \
            }                                                                                           \
            _Pragma("clang loop unroll(full)") for (int o = 0; o < HW_SC_OUT; o++) {                    \
                const __m512 w0 = _mm512_set1_ps(weights[o * g.taps + t]);                              \
                const __m512 w1 = _mm512_set1_ps(weights[o * g.taps + t + 1]);                          \
                _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) {                       \
                    acc[q][o] = _mm512_fmadd_ps(x0[q], w0, acc[q][o]);                                  \
                    if (o < HW_SC_SPLIT_FILTERS) odd[q][o] = _mm512_fmadd_ps(x1[q], w1, odd[q][o]);     \
                    else acc[q][o] = _mm512_fmadd_ps(x1[q], w1, acc[q][o]);                             \
                }                                                                                       \
            }                                                                                           \
        }                                                                                               \
        for (; t < g.taps; t++) {                                                                       \
            __m512 x[NV];                                                                               \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                             \
                x[q] = _mm512_loadu_ps(line + offset[t] + q * 16);                                    \
            _Pragma("clang loop unroll(full)") for (int o = 0; o < HW_SC_OUT; o++) {                    \
                const __m512 w = _mm512_set1_ps(weights[o * g.taps + t]);                               \
                _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                         \
                    acc[q][o] = _mm512_fmadd_ps(x[q], w, acc[q][o]);                                    \
            }                                                                                           \
        }                                                                                               \
        _Pragma("clang loop unroll(full)") for (int o = 0; o < HW_SC_OUT; o++)                          \
        _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) {                               \
            const __m512 sum = o < HW_SC_SPLIT_FILTERS ? _mm512_add_ps(acc[q][o], odd[q][o]) : acc[q][o]; \
            float *y = output + o * g.plane + i * g.row + (q0 + q) * 16;                                \
            _mm512_storeu_ps(y, _mm512_add_ps(sum, _mm512_loadu_ps(y)));                                \
        }                                                                                               \
    } while (0)

__attribute__((target("avx512f")))
static void hw_forward(const float *input, const float *weights, float *padded, float *output, int height, int width,
                       int batch, int kernel, int padding) {
    const sc_geometry g = sc_geometry_of(height, width, batch, kernel, padding);
    int offset[HW_SC_MAX_TAPS];
    sc_tap_offsets(&g, batch, offset);
    /* The kernel pairs the taps below 8·⌊taps/8⌋ (its k loop runs 8 at a time). */
    const int paired = g.taps / 8 * 8;
    brsgd_single_channel_pad_image(input, padded, height, width, batch, padding);
    for (int i = 0; i < g.output_height; i++) {
        for (int q0 = 0; q0 < g.vectors; q0 += 2) {
            if (g.vectors - q0 >= 2) HW_FORWARD_GROUP(2);
            else HW_FORWARD_GROUP(1);
        }
    }
}

int brsgd_single_channel_convolution_forward_haswell(const float *input, const float *weights, float *padded,
                                                     float *output, int height, int width, int batch, int kernel,
                                                     int padding) {
    if (!brsgd_single_channel_convolution_fits_haswell(height, width, batch, kernel, padding)) return 0;
    hw_forward(input, weights, padded, output, height, width, batch, kernel, padding);
    return 1;
}

/* ∂Y's 6 filters at 8 positions from p as 8 vectors of 8 lanes (filters, then two zeros). */
__attribute__((target("avx512f,avx512vl"), always_inline))
static inline void hw_transpose8(const float *dy, ptrdiff_t plane, ptrdiff_t p, float out[8][8]) {
    __m256 r[8];
    for (int o = 0; o < HW_SC_OUT; o++) r[o] = _mm256_loadu_ps(dy + o * plane + p);
    r[6] = r[7] = _mm256_setzero_ps();
    __m256 t[8];
    for (int j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
        t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
    }
    __m256 s[8];
    for (int j = 0; j < 8; j += 4) {
        s[j] = _mm256_shuffle_ps(t[j], t[j + 2], 0x44);
        s[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], 0xEE);
        s[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0x44);
        s[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
    }
    /* s[j + c] holds, in each 128-bit half h, position 4h + c's filters j..j+3. */
    for (int c = 0; c < 4; c++) {
        _mm256_store_ps(out[c], _mm256_permute2f128_ps(s[c], s[4 + c], 0x20));
        _mm256_store_ps(out[4 + c], _mm256_permute2f128_ps(s[c], s[4 + c], 0x31));
    }
}

/* The T taps' chains (8 lanes: the filters) over positions first ..< last of output row i,
 * both multiples of 8 (blocks start at multiples of 8, rows are whole 16s). */
__attribute__((target("avx512f,avx512vl"), always_inline))
static inline void hw_tap_chains(const int T, const sc_geometry *g, const int *offset, const float *padded,
                                 const float *dy, int i, ptrdiff_t first, ptrdiff_t last, __m256 acc[HW_SC_MAX_TAPS]) {
    const float *line = padded + i * g->padded_row;
    const ptrdiff_t base = i * g->row;
    float y[8][8] __attribute__((aligned(32)));
    for (ptrdiff_t q = first; q < last; q += 8) {
        hw_transpose8(dy, g->plane, base + q, y);
        for (int p = 0; p < 8; p++) {
            const __m256 filters = _mm256_load_ps(y[p]);
            const float *x = line + q + p;
            for (int t = 0; t < T; t++) acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(x[offset[t]]), filters, acc[t]);
        }
    }
}

/* hw_tap_chains for a 5 × 5 kernel on a batch of B (4 or 8), positions first ..< last (whole
 * 8s) of output row i: the five image rows' addresses in registers and the taps' offsets
 * constants, so that each multiply-add reads its image value straight from L1. */
__attribute__((target("avx512f,avx512vl"), always_inline))
static inline void hw_tap_chains_5x5(const int B, const sc_geometry *g, const float *padded, const float *dy, int i,
                                     ptrdiff_t first, ptrdiff_t last, __m256 acc[HW_SC_MAX_TAPS]) {
    const float *rows[5];
    for (int u = 0; u < 5; u++) rows[u] = padded + (i + u) * g->padded_row;
    const ptrdiff_t base = i * g->row;
    float y[8][8] __attribute__((aligned(32)));
    for (ptrdiff_t q = first; q < last; q += 8) {
        hw_transpose8(dy, g->plane, base + q, y);
        for (int p = 0; p < 8; p++) {
            const __m256 filters = _mm256_load_ps(y[p]);
#pragma clang loop unroll(full)
            for (int t = 0; t < 25; t++) {
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(rows[t / 5][q + p + (t % 5) * B]), filters, acc[t]);
            }
        }
    }
}

__attribute__((target("avx512f,avx512vl")))
static void hw_weight_gradient(const float *padded, const float *dy, float *transposed, int accumulates, int height,
                               int width, int batch, int kernel, int padding) {
    const sc_geometry g = sc_geometry_of(height, width, batch, kernel, padding);
    int offset[HW_SC_MAX_TAPS];
    sc_tap_offsets(&g, batch, offset);
    const long positions = (long)g.plane;
    float c[HW_SC_MAX_TAPS][8] __attribute__((aligned(32)));
    for (int t = 0; t < g.taps; t++) {
        for (int o = 0; o < 8; o++) c[t][o] = accumulates && o < HW_SC_OUT ? transposed[t * HW_SC_OUT + o] : 0;
    }
    for (long start = 0; start < positions; start = hw_block_end(start, positions)) {
        const long end = hw_block_end(start, positions);
        __m256 acc[HW_SC_MAX_TAPS];
        for (int t = 0; t < HW_SC_MAX_TAPS; t++) acc[t] = _mm256_setzero_ps();
        for (int i = (int)(start / g.row); i < g.output_height && (long)i * g.row < end; i++) {
            const long row_start = (long)i * g.row;
            const ptrdiff_t first = start > row_start ? start - row_start : 0;
            const ptrdiff_t last = end < row_start + g.row ? end - row_start : g.row;
            if (g.kernel == 5 && batch == 4) hw_tap_chains_5x5(4, &g, padded, dy, i, first, last, acc);
            else if (g.kernel == 5 && batch == 8) hw_tap_chains_5x5(8, &g, padded, dy, i, first, last, acc);
            else hw_tap_chains(g.taps, &g, offset, padded, dy, i, first, last, acc);
        }
        for (int t = 0; t < g.taps; t++) _mm256_store_ps(c[t], _mm256_add_ps(acc[t], _mm256_load_ps(c[t])));
    }
    for (int t = 0; t < g.taps; t++) {
        for (int o = 0; o < HW_SC_OUT; o++) transposed[t * HW_SC_OUT + o] = c[t][o];
    }
}

int brsgd_single_channel_convolution_weight_gradient_haswell(const float *padded, const float *output_gradient,
                                                             float *transposed_gradient, int accumulates, int height,
                                                             int width, int batch, int kernel, int padding) {
    if (!brsgd_single_channel_convolution_fits_haswell(height, width, batch, kernel, padding)) return 0;
    hw_weight_gradient(padded, output_gradient, transposed_gradient, accumulates, height, width, batch, kernel, padding);
    return 1;
}

#else

int brsgd_weight_gradient_out16_haswell(const float *columns, int rows, int positions, const float *output_gradient,
                                        float *transposed_gradient, int accumulates) {
    (void)columns; (void)rows; (void)positions; (void)output_gradient; (void)transposed_gradient; (void)accumulates;
    return 0;
}

int brsgd_single_channel_convolution_fits_haswell(int height, int width, int batch, int kernel, int padding) {
    (void)height; (void)width; (void)batch; (void)kernel; (void)padding;
    return 0;
}

int brsgd_single_channel_convolution_forward_haswell(const float *input, const float *weights, float *padded,
                                                     float *output, int height, int width, int batch, int kernel,
                                                     int padding) {
    (void)input; (void)weights; (void)padded; (void)output; (void)height; (void)width; (void)batch; (void)kernel;
    (void)padding;
    return 0;
}

int brsgd_single_channel_convolution_weight_gradient_haswell(const float *padded, const float *output_gradient,
                                                             float *transposed_gradient, int accumulates, int height,
                                                             int width, int batch, int kernel, int padding) {
    (void)padded; (void)output_gradient; (void)transposed_gradient; (void)accumulates; (void)height; (void)width;
    (void)batch; (void)kernel; (void)padding;
    return 0;
}

#endif
