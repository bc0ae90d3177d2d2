/* LeNet's first convolution (one input channel, six filters, stride 1) without im2col, in
 * AVX-512 (see neural_kernels.h): forward and weight gradient read the zero-padded image, 16
 * KiB for a micro-batch of 4, from L1, where the GEMMs stream 25 column rows of 3136 floats
 * (314 KB) from L2, and each forms its outputs in the order of the OpenBLAS kernel it stands
 * for, so the same bits. */
#include "neural_kernels.h"
#include "small_tn_reduction.h"
#include "shared_steps.h"

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#include <stddef.h>
#pragma clang fp contract(off)

enum { SC_OUT = 6, SC_MAX_TAPS = 64, SC_MAX_ROW_VECTORS = 16, SC_CHUNK_ROWS = 2 };

int brsgd_single_channel_convolution_fits(int height, int width, int batch, int kernel, int padding) {
    if (!sc_has_vector_rows(height, width, batch, kernel, padding, SC_MAX_TAPS)) return 0;
    const sc_geometry g = sc_geometry_of(height, width, batch, kernel, padding);
    /* OpenBLAS's small-matrix kernels take both products (the NN one whenever the TN one does):
     * the orders these kernels keep. */
    return g.vectors <= SC_MAX_ROW_VECTORS && brsgd_small_tn_permits(SC_OUT, g.taps, g.plane);
}

long brsgd_single_channel_padded_count(int height, int width, int batch, int padding) {
    return (long)(height + 2 * padding) * (width + 2 * padding) * batch;
}

__attribute__((target("avx512f")))
void brsgd_single_channel_pad_image(const float *input, float *padded, int height, int width, int batch, int padding) {
    const ptrdiff_t row = (ptrdiff_t)width * batch, padded_row = (ptrdiff_t)(width + 2 * padding) * batch;
    const ptrdiff_t lead = (ptrdiff_t)padding * batch;
    for (int i = 0; i < height + 2 * padding; i++) {
        float *out = padded + i * padded_row;
        const int source = i - padding;
        if (source < 0 || source >= height) {
            for (ptrdiff_t q = 0; q < padded_row; q++) out[q] = 0;
            continue;
        }
        for (ptrdiff_t q = 0; q < lead; q++) out[q] = 0;
        const float *in = input + source * row;
        for (ptrdiff_t q = 0; q < row; q++) out[lead + q] = in[q];
        for (ptrdiff_t q = lead + row; q < padded_row; q++) out[q] = 0;
    }
}

/* NV row vectors from q0 of output row i: acc = fma(x, w[o][tap], acc) over the taps (u, v) in
 * order from 0, then output += acc: OpenBLAS's small NN kernel's chain (bias first in output). */
#define FORWARD_GROUP(NV)                                                                               \
    do {                                                                                                \
        __m512 acc[NV][SC_OUT];                                                                         \
        _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                                 \
        _Pragma("clang loop unroll(full)") for (int o = 0; o < SC_OUT; o++) acc[q][o] = _mm512_setzero_ps(); \
        for (int u = 0; u < g.kernel; u++) {                                                            \
            const float *line = padded + (i + u) * g.padded_row + q0 * 16;                              \
            for (int v = 0; v < g.kernel; v++) {                                                        \
                __m512 x[NV];                                                                           \
                _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                         \
                    x[q] = _mm512_loadu_ps(line + v * batch + q * 16);                                  \
                const float *tap = weights + u * g.kernel + v;                                          \
                _Pragma("clang loop unroll(full)") for (int o = 0; o < SC_OUT; o++) {                   \
                    const __m512 w = _mm512_set1_ps(tap[o * taps]);                                     \
                    _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                     \
                        acc[q][o] = _mm512_fmadd_ps(x[q], w, acc[q][o]);                                \
                }                                                                                       \
            }                                                                                           \
        }                                                                                               \
        _Pragma("clang loop unroll(full)") for (int o = 0; o < SC_OUT; o++)                             \
        _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) {                               \
            float *y = output + o * g.plane + i * g.row + (q0 + q) * 16;                                \
            _mm512_storeu_ps(y, _mm512_add_ps(_mm512_loadu_ps(y), acc[q][o]));                          \
        }                                                                                               \
    } while (0)

__attribute__((target("avx512f")))
static void forward_avx512(const float *input, const float *weights, float *padded, float *output, int height,
                           int width, int batch, int kernel, int padding) {
    const sc_geometry g = sc_geometry_of(height, width, batch, kernel, padding);
    const int taps = g.taps;
    brsgd_single_channel_pad_image(input, padded, height, width, batch, padding);
    for (int i = 0; i < g.output_height; i++) {
        for (int q0 = 0; q0 < g.vectors; q0 += 4) {
            switch (g.vectors - q0 < 4 ? g.vectors - q0 : 4) {
                case 4: FORWARD_GROUP(4); break;
                case 3: FORWARD_GROUP(3); break;
                case 2: FORWARD_GROUP(2); break;
                default: FORWARD_GROUP(1); break;
            }
        }
    }
}

int brsgd_single_channel_convolution_forward(const float *input, const float *weights, float *padded, float *output,
                                             int height, int width, int batch, int kernel, int padding) {
    if (!brsgd_single_channel_convolution_fits(height, width, batch, kernel, padding)) return 0;
    forward_avx512(input, weights, padded, output, height, width, batch, kernel, padding);
    return 1;
}

/* R taps from r0 go on over `rows` output rows from i0: lane sums lanes[tap][o][16] += the
 * products of ∂Y (packed[row vector][o][16]) and the tap's image vector. */
__attribute__((target("avx512f"), always_inline))
static inline void tap_lane_sums(const int R, const sc_geometry *g, const float *padded, const int *tap_offset, int r0,
                                 int i0, int rows, const float *packed, float *lanes, int first) {
    __m512 acc[4][SC_OUT];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int o = 0; o < SC_OUT; o++) {
            acc[r][o] = first ? _mm512_setzero_ps() : _mm512_load_ps(lanes + ((r0 + r) * SC_OUT + o) * 16);
        }
    }
    for (int di = 0; di < rows; di++) {
        const float *line = padded + (i0 + di) * g->padded_row;
        for (int q = 0; q < g->vectors; q++) {
            __m512 x[4];
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) x[r] = _mm512_loadu_ps(line + tap_offset[r0 + r] + q * 16);
            const float *dy = packed + (di * g->vectors + q) * SC_OUT * 16;
#pragma clang loop unroll(full)
            for (int o = 0; o < SC_OUT; o++) {
                const __m512 y = _mm512_load_ps(dy + o * 16);
#pragma clang loop unroll(full)
                for (int r = 0; r < R; r++) acc[r][o] = _mm512_fmadd_ps(y, x[r], acc[r][o]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int o = 0; o < SC_OUT; o++) _mm512_store_ps(lanes + ((r0 + r) * SC_OUT + o) * 16, acc[r][o]);
    }
}

__attribute__((target("avx512f")))
static void weight_gradient_avx512(const float *padded, const float *output_gradient, float *transposed, int accumulates,
                                   int height, int width, int batch, int kernel, int padding) {
    const sc_geometry g = sc_geometry_of(height, width, batch, kernel, padding);
    const int taps = g.taps;
    float lanes[SC_MAX_TAPS * SC_OUT * 16] __attribute__((aligned(64)));
    float packed[SC_CHUNK_ROWS * SC_MAX_ROW_VECTORS * SC_OUT * 16] __attribute__((aligned(64)));
    int tap_offset[SC_MAX_TAPS];
    sc_tap_offsets(&g, batch, tap_offset);
    for (int i0 = 0; i0 < g.output_height; i0 += SC_CHUNK_ROWS) {
        const int rows = g.output_height - i0 < SC_CHUNK_ROWS ? g.output_height - i0 : SC_CHUNK_ROWS;
        for (int v = 0; v < rows * g.vectors; v++) {
            for (int o = 0; o < SC_OUT; o++) {
                _mm512_store_ps(packed + (v * SC_OUT + o) * 16,
                                _mm512_loadu_ps(output_gradient + o * g.plane + i0 * g.row + v * 16));
            }
        }
        int r = 0;
        for (; r + 4 <= taps; r += 4) tap_lane_sums(4, &g, padded, tap_offset, r, i0, rows, packed, lanes, i0 == 0);
        for (; r < taps; r++) tap_lane_sums(1, &g, padded, tap_offset, r, i0, rows, packed, lanes, i0 == 0);
    }
    /* OpenBLAS's blocks: filters 0-3 by 4 (every tap), filters 4-5 by 2, whose taps past the
     * last whole 4 are reduced one entry at a time. */
    small_tn_reduce(lanes, taps, SC_OUT, transposed, accumulates);
}

int brsgd_single_channel_convolution_weight_gradient(const float *padded, const float *output_gradient,
                                                     float *transposed_gradient, int accumulates, int height, int width,
                                                     int batch, int kernel, int padding) {
    if (!brsgd_single_channel_convolution_fits(height, width, batch, kernel, padding)) return 0;
    weight_gradient_avx512(padded, output_gradient, transposed_gradient, accumulates, height, width, batch, kernel,
                           padding);
    return 1;
}

#else

int brsgd_single_channel_convolution_fits(int height, int width, int batch, int kernel, int padding) {
    (void)height; (void)width; (void)batch; (void)kernel; (void)padding;
    return 0;
}

long brsgd_single_channel_padded_count(int height, int width, int batch, int padding) {
    return (long)(height + 2 * padding) * (width + 2 * padding) * batch;
}

int brsgd_single_channel_convolution_forward(const float *input, const float *weights, float *padded, float *output,
                                             int height, int width, int batch, int kernel, int padding) {
    (void)input; (void)weights; (void)padded; (void)output; (void)height; (void)width; (void)batch; (void)kernel;
    (void)padding;
    return 0;
}

int brsgd_single_channel_convolution_weight_gradient(const float *padded, const float *output_gradient,
                                                     float *transposed_gradient, int accumulates, int height, int width,
                                                     int batch, int kernel, int padding) {
    (void)padded; (void)output_gradient; (void)transposed_gradient; (void)accumulates; (void)height; (void)width;
    (void)batch; (void)kernel; (void)padding;
    return 0;
}

#endif
