/* NeuralEngine's data-movement kernels in AVX-512 for x86-64 CPUs that have it, chosen at run
 * time: im2col and col2im for stride-1 convolutions, and 2 × 2 max pooling (forward, with or
 * without the ReLU before it, and the backward routing) for micro-batches of 4 samples, on the
 * engine's channel-major layout with the batch innermost, [C][H][W][B]; and a few products
 * (convolutions' weight gradients, LeNet's first convolution without im2col), each in the
 * order of the OpenBLAS kernel it replaces: its SkylakeX kernels or its Haswell one. Written
 * in C for its per-function target attributes (Swift has none, and a package-wide CPU flag
 * would make the package impossible to depend on by URL). Each data-movement kernel copies,
 * compares, selects and adds what the Swift one (Im2Col.swift, MaxPool2D.swift) does, value by
 * value and in the same order, so the results have its bits; each product forms its entries as
 * OpenBLAS does where the engine calls it (WeightGradient.swift, Conv2D.swift). Each returns 0, touching nothing, when this CPU lacks
 * AVX-512 (or off x86-64), and the engine then runs its Swift kernels or OpenBLAS. */
#ifndef BRSGD_NEURAL_KERNELS_H
#define BRSGD_NEURAL_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this CPU runs the AVX-512 kernels below, else 0 (asked once, then cached). */
int brsgd_neural_kernels_available(void);

/* columns[(c·k + ki)·k + kj][(oh·Wo + ow)·B + b] = input[c][oh − p + ki][ow − p + kj][b],
 * 0 outside the image, with Ho = H + 2p − k + 1, Wo = W + 2p − k + 1 (stride 1). Every column
 * value is written. O(C · k² · Ho · Wo · B) floats moved, 16 per instruction. */
int brsgd_im2col_stride1(const float *input, float *columns, int channels, int height, int width, int batch,
                         int kernel, int padding);

/* The adjoint: every pixel of input (C · H · W · B floats, all written) is the sum of the
 * column values copied from it, ((0 + e₀) + e₁) + … with the column rows in order (c, ki, kj).
 * O(C · k² · H · W · B). */
int brsgd_col2im_stride1(const float *columns, float *input, int channels, int height, int width, int batch,
                         int kernel, int padding);

/* 2 × 2, stride-2 max pooling of a [C][H][W][4] batch into [C][H/2][W/2][4]: each window's
 * four values (with `rectifies`, each first x < 0 ? 0 : x) compared as
 * upper = x₁ > x₀ ? x₁ : x₀, lower = x₃ > x₂ ? x₃ : x₂, max = lower > upper ? lower : upper
 * (ties keep the earlier position; a NaN loses every comparison), and argmax the chosen
 * input's offset within its channel. O(C · H · W) floats read. */
int brsgd_max_pool_2x2_batch4(const float *input, float *output, int32_t *argmax, int channels, int height,
                              int width, int rectifies);

/* The backward routing of that pooling: input_gradient ([C][H][W][4]) gets 0 + ∂y at each
 * window's recorded maximum — 0 instead where `pooled` (may be NULL) is ≤ 0 — and 0 at the
 * window's other inputs and at inputs in no window. O(C · H · W) floats written. */
int brsgd_max_pool_2x2_route_batch4(const int32_t *argmax, const float *pooled, const float *output_gradient,
                                    float *input_gradient, int channels, int height, int width);

/* A convolution's transposed weight gradient for 16 output channels: for i < rows, j < 16,
 * acc = fma(columns[i][k], output_gradient[j][k], acc) for k in 0 ..< positions in order from
 * acc = 0 (row strides `positions`), then transposed_gradient[i][j] (row stride 16) = acc, or
 * acc + transposed_gradient[i][j] when `accumulates`. 16 channels to a vector, 12 rows at a
 * time, ∂Y transposed once on the stack; returns 0, touching nothing, for positions outside
 * 1...512 or rows < 1. O(rows · 16 · positions) multiply-adds. */
int brsgd_weight_gradient_out16(const float *columns, int rows, int positions, const float *output_gradient,
                                float *transposed_gradient, int accumulates);

/* A convolution's transposed weight gradient for 6 output channels: for i < rows, j < 6, lane
 * l < 16 sums fma(columns[i][k], output_gradient[j][k], ·) over k ≡ l (mod 16) in order from 0
 * (a last partial 16 adds a product of zeros in its empty lanes), and the 16 lane sums are
 * reduced by the tree OpenBLAS's small-matrix TN kernel uses for that entry: pairs of
 * neighbours for channels 0-3 and for rows in a whole 4-row block, else lane i + 8, + 4, + 2,
 * + 1 onto i. transposed_gradient[i][j] (row stride 6) = the sum, or sum + transposed_gradient[i][j]
 * when `accumulates`. Returns 0, touching nothing, for rows outside 1...64 or positions < 1.
 * O(rows · 6 · positions) multiply-adds. */
int brsgd_weight_gradient_out6(const float *columns, int rows, int positions, const float *output_gradient,
                               float *transposed_gradient, int accumulates);

/* Whether OpenBLAS 0.3.21 (SkylakeX) computes a column-major TN product of M × N over K with
 * its small-matrix kernel, the order the kernels above and below keep: M · N ≤ 1200, K ≥ 32
 * and M · N · K ≤ 10⁶ (its sgemm_small_kernel_permit). */
int brsgd_small_tn_permits(long m, long n, long k);

/* A convolution of one input channel into 6 filters, stride 1, on a [1][H][W][B] batch whose
 * output rows (Wo · B floats) are whole 16-float vectors (at most 16 of them), with at most 64
 * taps, 32 positions (Ho · Wo · B) or more and 6 · k² · positions ≤ 10⁶ (where OpenBLAS takes
 * the small-matrix kernels whose orders the two below keep): whether this CPU runs them for
 * that geometry (1) or not (0). */
int brsgd_single_channel_convolution_fits(int height, int width, int batch, int kernel, int padding);

/* Floats of the zero-padded image the two kernels share: (H + 2p) · (W + 2p) · B. */
long brsgd_single_channel_padded_count(int height, int width, int batch, int padding);

/* The forward pass without im2col: writes the zero-padded image into `padded`, then
 * output[o][i][j][b] (already holding the bias) += acc, where acc = fma(x, w[o][tap], acc) over
 * the taps (u, v) in order from 0 and x is the padded image at (i + u, j + v, b): the chain of
 * W · im2col(input) in OpenBLAS's small NN kernel. Returns 0, touching nothing, when the
 * geometry does not fit. O(6 · k² · Ho · Wo · B). */
int brsgd_single_channel_convolution_forward(const float *input, const float *weights, float *padded, float *output,
                                             int height, int width, int batch, int kernel, int padding);

/* ∂Wᵀ ([tap][6]) from the padded image the forward pass left and ∂Y ([6][Ho][Wo][B]), as
 * brsgd_weight_gradient_out6 forms it from the im2col columns: the same lane sums and trees.
 * Returns 0, touching nothing, when the geometry does not fit. O(6 · k² · Ho · Wo · B). */
int brsgd_single_channel_convolution_weight_gradient(const float *padded, const float *output_gradient,
                                                     float *transposed_gradient, int accumulates, int height, int width,
                                                     int batch, int kernel, int padding);

/* The three products above in the order of OpenBLAS 0.3.21's Haswell SGEMM kernel
 * (sgemm_kernel_8x4_haswell_2.c, one thread: the kernel Debian's build runs on an AMD EPYC of CPU
 * family 26, Zen 5, whose corename it reports as Haswell), so its bits there (haswell_order.c gives the order entry by entry):
 *
 * ∂Wᵀ for 16 output channels as brsgd_weight_gradient_out16 above, except that each row in
 * the first half of a block of 12 rows (and each of 4 rows left after the blocks of 12 when 4 to
 * 7 are) sums its products in two chains — the even positions below 8·⌊positions/8⌋ and every
 * position from there in one, the odd positions below it in the other — added before the old
 * value, per block of OpenBLAS's k loop (as for the first convolution's ∂Wᵀ below: 400
 * positions are two blocks of 200), each block added to the entry in turn. Returns 0, touching
 * nothing, for positions outside 1...512 or rows < 1. */
int brsgd_weight_gradient_out16_haswell(const float *columns, int rows, int positions, const float *output_gradient,
                                        float *transposed_gradient, int accumulates);

/* Whether this CPU runs the two kernels below for that geometry: output rows of whole 16-float
 * vectors, at most 25 taps. */
int brsgd_single_channel_convolution_fits_haswell(int height, int width, int batch, int kernel, int padding);

/* The forward pass as brsgd_single_channel_convolution_forward, except that filters 0-3 sum
 * their taps in two chains (the even taps below 8·⌊taps/8⌋ and every tap from there; the odd
 * taps below it), added, then added to the bias. O(6 · k² · Ho · Wo · B). */
int brsgd_single_channel_convolution_forward_haswell(const float *input, const float *weights, float *padded,
                                                     float *output, int height, int width, int batch, int kernel,
                                                     int padding);

/* ∂Wᵀ ([tap][6]) from the padded image the forward pass left and ∂Y: each entry one chain of
 * fused multiply-adds over the positions in order, from 0, per block of OpenBLAS's k loop (320
 * positions; a rest of 321–639 in two halves rounded up to 8), each block's chain added to the
 * entry (0 at first, or the old value when `accumulates`). O(6 · k² · Ho · Wo · B). */
int brsgd_single_channel_convolution_weight_gradient_haswell(const float *padded, const float *output_gradient,
                                                             float *transposed_gradient, int accumulates, int height,
                                                             int width, int batch, int kernel, int padding);

#ifdef __cplusplus
}
#endif

#endif
