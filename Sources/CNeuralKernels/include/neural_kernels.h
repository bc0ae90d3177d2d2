/* NeuralEngine's data-movement kernels in AVX-512 for x86-64 CPUs that have it, taken on the
 * AVX-512 kernel path: im2col and col2im for stride-1 convolutions, and 2 × 2 max pooling
 * (forward, with or without the ReLU before it, and the backward routing) for micro-batches of
 * 4 samples, on the engine's channel-major layout with the batch innermost, [C][H][W][B].
 * Written in C for its per-function target attributes (Swift has none, and a package-wide CPU
 * flag would make the package impossible to depend on by URL). Each copies, compares, selects
 * and adds what the Swift one (Im2Col.swift, MaxPool2D.swift) does, value by value and in the
 * same order, so the results have its bits. Each returns 0, touching nothing, when this CPU
 * lacks AVX-512 (or off x86-64), and the engine then runs its Swift kernels. The products are
 * in products.h. */
#ifndef BRSGD_NEURAL_KERNELS_H
#define BRSGD_NEURAL_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "products.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this CPU runs the AVX-512 kernels below (brsgd_cpu_isa() is BRSGD_ISA_AVX512), else 0. */
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

#ifdef __cplusplus
}
#endif

#endif
