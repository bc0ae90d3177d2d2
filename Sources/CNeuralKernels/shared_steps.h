/* Steps the kernel files of CNeuralKernels share. Private to the target. */
#ifndef BRSGD_SHARED_STEPS_H
#define BRSGD_SHARED_STEPS_H

#include "neural_kernels.h"
#include <stddef.h>

/* ∂Y ([16][n], row stride n) into ∂Yᵀ ([n][16], 64-byte aligned): weight_gradient.c. */
void brsgd_transpose_output_gradient16(const float *dy, int n, float *dyT);

/* [H][W][B] into the zero-padded [(H + 2p)][(W + 2p)][B]: single_channel_convolution.c. */
void brsgd_single_channel_pad_image(const float *input, float *padded, int height, int width, int batch, int padding);

/* A single-channel stride-1 convolution's geometry on a [1][H][W][B] batch: `taps` = k²,
 * `padded_row` floats per padded row ((W + 2p) · B), `row` floats per output row (Wo · B),
 * `plane` = row · Ho, `vectors` = row / 16. */
typedef struct {
    int kernel, taps, output_height;
    ptrdiff_t padded_row, row, plane;
    int vectors;
} sc_geometry;

static inline sc_geometry sc_geometry_of(int height, int width, int batch, int kernel, int padding) {
    sc_geometry g;
    g.kernel = kernel;
    g.taps = kernel * kernel;
    g.output_height = height + 2 * padding - kernel + 1;
    g.padded_row = (ptrdiff_t)(width + 2 * padding) * batch;
    g.row = (ptrdiff_t)(width + 2 * padding - kernel + 1) * batch;
    g.plane = g.row * g.output_height;
    g.vectors = (int)(g.row / 16);
    return g;
}

/* Whether this CPU runs the AVX-512 kernels and the geometry has an output, at most `max_taps`
 * taps and output rows of whole 16-float vectors: what both pairs of single-channel kernels
 * need before their own bounds. */
static inline int sc_has_vector_rows(int height, int width, int batch, int kernel, int padding, int max_taps) {
    if (!brsgd_neural_kernels_available() || height < 1 || width < 1 || batch < 1 || kernel < 1 || padding < 0) return 0;
    const int ho = height + 2 * padding - kernel + 1, wo = width + 2 * padding - kernel + 1;
    return ho >= 1 && wo >= 1 && kernel * kernel <= max_taps && ((long)wo * batch) % 16 == 0;
}

/* Each tap's (u, v) offset in the padded image from its output position: u · padded_row + v · B. */
static inline void sc_tap_offsets(const sc_geometry *g, int batch, int *offset) {
    for (int t = 0; t < g->taps; t++) offset[t] = (int)((t / g->kernel) * g->padded_row + (t % g->kernel) * batch);
}

#endif
