/* NeuralEngine's im2col, col2im and 2 × 2 max pooling in AVX-512 (see neural_kernels.h): the
 * Swift kernels' copies, comparisons, selects and adds, 16 lanes at a time, so the same bits. */
#include "neural_kernels.h"

#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#pragma clang fp contract(off)

int brsgd_neural_kernels_available(void) { return brsgd_cpu_isa() >= BRSGD_ISA_AVX512; }

/* The lanes l with l < n (all 16 for n ≥ 16, none for n ≤ 0). */
static inline __mmask16 lanes_below(ptrdiff_t n) {
    if (n <= 0) return 0;
    if (n >= 16) return 0xFFFF;
    return (__mmask16)((1u << n) - 1u);
}

/* The lanes l with low ≤ l < high. */
static inline __mmask16 lanes_between(ptrdiff_t low, ptrdiff_t high) {
    return (__mmask16)(lanes_below(high) & ~lanes_below(low));
}

/* `base` moved by `offset` floats, computed as an address: the kernels form the address a
 * run would start at had it no zero lead, and load only the run's lanes from it. */
static inline const float *shifted(const float *base, ptrdiff_t offset) {
    return (const float *)((uintptr_t)base + (uintptr_t)(offset * (ptrdiff_t)sizeof(float)));
}

/* The output positions o (along one axis) whose input o − p + tap lies in 0..<extent, as
 * ConvolutionGeometry.validOutputs for stride 1: low..<high (empty when high ≤ low). */
static inline void valid_outputs(int tap, int padding, int extent, int output_extent, int *low, int *high) {
    int lo = padding - tap > 0 ? padding - tap : 0;
    int hi = extent + padding - tap;
    if (hi > output_extent) hi = output_extent;
    if (hi < lo) hi = lo;
    *low = lo;
    *high = hi;
}

/* dst[q] = src[q] for q < n (n ≥ 1), the ranges apart: whole vectors, the last one ending at
 * n (overlapping the one before it) or, for n < 16, masked. */
__attribute__((target("avx512f"), always_inline))
static inline void copy_run(float *dst, const float *src, ptrdiff_t n) {
    if (n < 16) {
        const __mmask16 m = lanes_below(n);
        _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
        return;
    }
    for (ptrdiff_t q = 0; q + 16 < n; q += 16) _mm512_storeu_ps(dst + q, _mm512_loadu_ps(src + q));
    _mm512_storeu_ps(dst + n - 16, _mm512_loadu_ps(src + n - 16));
}

/* dst[q] = 0 for q < n. */
__attribute__((target("avx512f"), always_inline))
static inline void zero_run(float *dst, ptrdiff_t n) {
    const __m512 zero = _mm512_setzero_ps();
    ptrdiff_t q = 0;
    for (; q + 16 <= n; q += 16) _mm512_storeu_ps(dst + q, zero);
    if (q < n) _mm512_mask_storeu_ps(dst + q, lanes_below(n - q), zero);
}

__attribute__((target("avx512f")))
static void im2col_avx512(const float *input, float *columns, int channels, int height, int width, int batch,
                          int kernel, int padding) {
    const int ho = height + 2 * padding - kernel + 1, wo = width + 2 * padding - kernel + 1;
    const ptrdiff_t channel_size = (ptrdiff_t)height * width * batch;
    const ptrdiff_t output_row = (ptrdiff_t)wo * batch, row_length = (ptrdiff_t)ho * output_row;
    for (int c = 0; c < channels; c++) {
        const float *image = input + c * channel_size;
        for (int ki = 0; ki < kernel; ki++) {
            int row_low, row_high;
            valid_outputs(ki, padding, height, ho, &row_low, &row_high);
            for (int kj = 0; kj < kernel; kj++) {
                float *row = columns + ((ptrdiff_t)(c * kernel + ki) * kernel + kj) * row_length;
                int column_low, column_high;
                valid_outputs(kj, padding, width, wo, &column_low, &column_high);
                if (row_high <= row_low || column_high <= column_low) {
                    zero_run(row, row_length);
                    continue;
                }
                const ptrdiff_t lead = (ptrdiff_t)column_low * batch, run = (ptrdiff_t)(column_high - column_low) * batch;
                const ptrdiff_t tail = output_row - lead - run;
                zero_run(row, row_low * output_row);
                /* dst[lead + q] = image[(oh − p + ki)·W·B + (column_low − p + kj)·B + q] for q < run. */
                const float *src = image + ((ptrdiff_t)(row_low - padding + ki) * width + (column_low - padding + kj)) * batch;
                for (int oh = row_low; oh < row_high; oh++, src += (ptrdiff_t)width * batch) {
                    float *dst = row + oh * output_row;
                    if (lead > 0) zero_run(dst, lead);
                    copy_run(dst + lead, src, run);
                    if (tail > 0) zero_run(dst + lead + run, tail);
                }
                zero_run(row + row_high * output_row, (ho - row_high) * output_row);
            }
        }
    }
}

/* Input chunks of 16 floats col2im sums at once in registers. */
enum { CHUNKS_AT_ONCE = 4 };

/* Sums each input row in registers, 4 chunks of 16 floats at a time: for each tap (ki, kj) in
 * order whose output row oh = y + p − ki exists, the column row's floats for this input row
 * (shifted by (p − kj)·B, the lanes outside the output row loaded as +0) are added to the
 * sums, which are then stored once. A pixel's sum is that of the Swift kernel, which adds the
 * same entries to 0 in the same order: the +0s added in between change nothing, as a sum that
 * starts at +0 is never −0. */
__attribute__((target("avx512f")))
static void col2im_avx512(const float *columns, float *input, int channels, int height, int width, int batch,
                          int kernel, int padding) {
    const int ho = height + 2 * padding - kernel + 1, wo = width + 2 * padding - kernel + 1;
    const ptrdiff_t channel_size = (ptrdiff_t)height * width * batch, input_row = (ptrdiff_t)width * batch;
    const ptrdiff_t output_row = (ptrdiff_t)wo * batch, row_length = (ptrdiff_t)ho * output_row;
    if (ho <= 0 || wo <= 0) {
        memset(input, 0, sizeof(float) * (size_t)(channels * channel_size));
        return;
    }
    __mmask16 masks[kernel][CHUNKS_AT_ONCE];
    for (ptrdiff_t first = 0; first < input_row; first += 16 * CHUNKS_AT_ONCE) {
        /* Input float q of a row takes output float q + (p − kj)·B of row oh, where it exists. */
        for (int kj = 0; kj < kernel; kj++)
            for (int u = 0; u < CHUNKS_AT_ONCE; u++) {
                const ptrdiff_t q = first + 16 * u, from = q + (ptrdiff_t)(padding - kj) * batch;
                masks[kj][u] = lanes_between(-from, output_row - from) & lanes_below(input_row - q);
            }
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                __m512 sum[CHUNKS_AT_ONCE];
#pragma clang loop unroll(full)
                for (int u = 0; u < CHUNKS_AT_ONCE; u++) sum[u] = _mm512_setzero_ps();
                const int ki_low = y + padding - (ho - 1) > 0 ? y + padding - (ho - 1) : 0;
                const int ki_high = y + padding + 1 < kernel ? y + padding + 1 : kernel;   /* 0 ≤ oh < Ho */
                for (int ki = ki_low; ki < ki_high; ki++) {
                    const int oh = y + padding - ki;
                    const float *row = columns + (ptrdiff_t)(c * kernel + ki) * kernel * row_length + oh * output_row + first;
                    for (int kj = 0; kj < kernel; kj++, row += row_length) {
                        const float *source = shifted(row, (ptrdiff_t)(padding - kj) * batch);
#pragma clang loop unroll(full)
                        for (int u = 0; u < CHUNKS_AT_ONCE; u++)
                            sum[u] = _mm512_add_ps(_mm512_maskz_loadu_ps(masks[kj][u], shifted(source, 16 * u)), sum[u]);
                    }
                }
                float *pixels = input + c * channel_size + y * input_row + first;
#pragma clang loop unroll(full)
                for (int u = 0; u < CHUNKS_AT_ONCE; u++)
                    _mm512_mask_storeu_ps(pixels + 16 * u, lanes_below(input_row - first - 16 * u), sum[u]);
            }
        }
    }
}

/* Lane l of four windows j … j + 3 of a micro-batch of 4: window l / 4, sample l % 4. The
 * offset of each lane's top-left input from window j's (8 floats per window of a row). */
#define WINDOW_LANES _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27)

/* Each lane's four window inputs, as offsets within the channel (what argmax records), for
 * windows j … j + 3 of the output row whose top input row starts at `top_row`. */
typedef struct {
    __m512i top_left, top_right, bottom_left, bottom_right;
} WindowCorners;

__attribute__((target("avx512f"), always_inline))
static inline WindowCorners window_corners(ptrdiff_t top_row, int j, int width) {
    const __m512i four = _mm512_set1_epi32(4);
    WindowCorners at;
    at.top_left = _mm512_add_epi32(_mm512_set1_epi32((int32_t)(top_row + 8 * j)), WINDOW_LANES);
    at.top_right = _mm512_add_epi32(at.top_left, four);
    at.bottom_left = _mm512_add_epi32(at.top_left, _mm512_set1_epi32(width * 4));
    at.bottom_right = _mm512_add_epi32(at.bottom_left, four);
    return at;
}

__attribute__((target("avx512f")))
static void max_pool_avx512(const float *input, float *output, int32_t *argmax, int channels, int height,
                            int width, int rectifies) {
    const int ho = height / 2, wo = width / 2;
    const ptrdiff_t in_channel = (ptrdiff_t)height * width * 4, out_channel = (ptrdiff_t)ho * wo * 4;
    /* The permutations that pick each window's left and right inputs out of 32 floats of a row. */
    const __m512i left = WINDOW_LANES, right = _mm512_add_epi32(WINDOW_LANES, _mm512_set1_epi32(4));
    const __m512 zero = _mm512_setzero_ps();
    for (int c = 0; c < channels; c++) {
        const float *x = input + c * in_channel;
        float *y = output + c * out_channel;
        int32_t *index = argmax + c * out_channel;
        for (int i = 0; i < ho; i++) {
            const ptrdiff_t top_row = (ptrdiff_t)2 * i * width * 4, bottom_row = top_row + (ptrdiff_t)width * 4;
            for (int j = 0; j < wo; j += 4) {
                const int windows = wo - j < 4 ? wo - j : 4;
                const __mmask16 low = lanes_below(8 * windows), high = lanes_below(8 * windows - 16);
                const float *top = x + top_row + 8 * j, *bottom = x + bottom_row + 8 * j;
                const __m512 t0 = _mm512_maskz_loadu_ps(low, top), t1 = _mm512_maskz_loadu_ps(high, top + 16);
                const __m512 b0 = _mm512_maskz_loadu_ps(low, bottom), b1 = _mm512_maskz_loadu_ps(high, bottom + 16);
                __m512 v0 = _mm512_permutex2var_ps(t0, left, t1), v1 = _mm512_permutex2var_ps(t0, right, t1);
                __m512 v2 = _mm512_permutex2var_ps(b0, left, b1), v3 = _mm512_permutex2var_ps(b0, right, b1);
                if (rectifies) {   /* x < 0 ? 0 : x */
                    v0 = _mm512_mask_mov_ps(v0, _mm512_cmp_ps_mask(v0, zero, _CMP_LT_OQ), zero);
                    v1 = _mm512_mask_mov_ps(v1, _mm512_cmp_ps_mask(v1, zero, _CMP_LT_OQ), zero);
                    v2 = _mm512_mask_mov_ps(v2, _mm512_cmp_ps_mask(v2, zero, _CMP_LT_OQ), zero);
                    v3 = _mm512_mask_mov_ps(v3, _mm512_cmp_ps_mask(v3, zero, _CMP_LT_OQ), zero);
                }
                const WindowCorners corner = window_corners(top_row, j, width);
                const __mmask16 right_wins = _mm512_cmp_ps_mask(v1, v0, _CMP_GT_OQ);
                const __mmask16 lower_right_wins = _mm512_cmp_ps_mask(v3, v2, _CMP_GT_OQ);
                const __m512 upper = _mm512_mask_mov_ps(v0, right_wins, v1);
                const __m512 lower = _mm512_mask_mov_ps(v2, lower_right_wins, v3);
                const __m512i upper_at = _mm512_mask_mov_epi32(corner.top_left, right_wins, corner.top_right);
                const __m512i lower_at = _mm512_mask_mov_epi32(corner.bottom_left, lower_right_wins, corner.bottom_right);
                const __mmask16 lower_wins = _mm512_cmp_ps_mask(lower, upper, _CMP_GT_OQ);
                const __mmask16 out = lanes_below(4 * windows);
                const ptrdiff_t o = ((ptrdiff_t)i * wo + j) * 4;
                _mm512_mask_storeu_ps(y + o, out, _mm512_mask_mov_ps(upper, lower_wins, lower));
                _mm512_mask_storeu_epi32(index + o, out, _mm512_mask_mov_epi32(upper_at, lower_wins, lower_at));
            }
        }
    }
}

__attribute__((target("avx512f")))
static void route_avx512(const int32_t *argmax, const float *pooled, const float *output_gradient,
                         float *input_gradient, int channels, int height, int width) {
    const int ho = height / 2, wo = width / 2;
    const ptrdiff_t in_channel = (ptrdiff_t)height * width * 4, out_channel = (ptrdiff_t)ho * wo * 4;
    if (height % 2 != 0 || width % 2 != 0)   /* inputs in no window */
        memset(input_gradient, 0, sizeof(float) * (size_t)(channels * in_channel));
    /* Interleaves the left and right corners' values back into a row: windows 0, 1 and 2, 3. */
    const __m512i first_half = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const __m512i second_half = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    const __m512 zero = _mm512_setzero_ps();
    for (int c = 0; c < channels; c++) {
        float *dx = input_gradient + c * in_channel;
        const float *dy = output_gradient + c * out_channel;
        const int32_t *index = argmax + c * out_channel;
        const float *y = pooled ? pooled + c * out_channel : NULL;
        for (int i = 0; i < ho; i++) {
            const ptrdiff_t top_row = (ptrdiff_t)2 * i * width * 4, bottom_row = top_row + (ptrdiff_t)width * 4;
            for (int j = 0; j < wo; j += 4) {
                const int windows = wo - j < 4 ? wo - j : 4;
                const __mmask16 out = lanes_below(4 * windows);
                const ptrdiff_t o = ((ptrdiff_t)i * wo + j) * 4;
                const __m512i at = _mm512_maskz_loadu_epi32(out, index + o);
                __m512 g = _mm512_add_ps(zero, _mm512_maskz_loadu_ps(out, dy + o));   /* 0 + ∂y */
                if (y) g = _mm512_mask_mov_ps(g, _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(out, y + o), zero, _CMP_LE_OQ), zero);
                const WindowCorners corner = window_corners(top_row, j, width);
                const __m512 tl = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, corner.top_left), g);
                const __m512 tr = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, corner.top_right), g);
                const __m512 bl = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, corner.bottom_left), g);
                const __m512 br = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, corner.bottom_right), g);
                const __mmask16 low = lanes_below(8 * windows), high = lanes_below(8 * windows - 16);
                float *top = dx + top_row + 8 * j, *bottom = dx + bottom_row + 8 * j;
                _mm512_mask_storeu_ps(top, low, _mm512_permutex2var_ps(tl, first_half, tr));
                _mm512_mask_storeu_ps(top + 16, high, _mm512_permutex2var_ps(tl, second_half, tr));
                _mm512_mask_storeu_ps(bottom, low, _mm512_permutex2var_ps(bl, first_half, br));
                _mm512_mask_storeu_ps(bottom + 16, high, _mm512_permutex2var_ps(bl, second_half, br));
            }
        }
    }
}

int brsgd_im2col_stride1(const float *input, float *columns, int channels, int height, int width, int batch,
                         int kernel, int padding) {
    if (!brsgd_neural_kernels_available()) return 0;
    im2col_avx512(input, columns, channels, height, width, batch, kernel, padding);
    return 1;
}

int brsgd_col2im_stride1(const float *columns, float *input, int channels, int height, int width, int batch,
                         int kernel, int padding) {
    if (!brsgd_neural_kernels_available()) return 0;
    col2im_avx512(columns, input, channels, height, width, batch, kernel, padding);
    return 1;
}

int brsgd_max_pool_2x2_batch4(const float *input, float *output, int32_t *argmax, int channels, int height,
                              int width, int rectifies) {
    if (!brsgd_neural_kernels_available()) return 0;
    max_pool_avx512(input, output, argmax, channels, height, width, rectifies);
    return 1;
}

int brsgd_max_pool_2x2_route_batch4(const int32_t *argmax, const float *pooled, const float *output_gradient,
                                    float *input_gradient, int channels, int height, int width) {
    if (!brsgd_neural_kernels_available()) return 0;
    route_avx512(argmax, pooled, output_gradient, input_gradient, channels, height, width);
    return 1;
}

#else

int brsgd_neural_kernels_available(void) { return 0; }

int brsgd_im2col_stride1(const float *input, float *columns, int channels, int height, int width, int batch,
                         int kernel, int padding) {
    (void)input; (void)columns; (void)channels; (void)height; (void)width; (void)batch; (void)kernel; (void)padding;
    return 0;
}

int brsgd_col2im_stride1(const float *columns, float *input, int channels, int height, int width, int batch,
                         int kernel, int padding) {
    (void)columns; (void)input; (void)channels; (void)height; (void)width; (void)batch; (void)kernel; (void)padding;
    return 0;
}

int brsgd_max_pool_2x2_batch4(const float *input, float *output, int32_t *argmax, int channels, int height,
                              int width, int rectifies) {
    (void)input; (void)output; (void)argmax; (void)channels; (void)height; (void)width; (void)rectifies;
    return 0;
}

int brsgd_max_pool_2x2_route_batch4(const int32_t *argmax, const float *pooled, const float *output_gradient,
                                    float *input_gradient, int channels, int height, int width) {
    (void)argmax; (void)pooled; (void)output_gradient; (void)input_gradient; (void)channels; (void)height; (void)width;
    return 0;
}

#endif
