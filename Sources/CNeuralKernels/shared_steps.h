/* Steps two kernel files of CNeuralKernels share. Private to the target. */
#ifndef BRSGD_SHARED_STEPS_H
#define BRSGD_SHARED_STEPS_H

/* ∂Y ([16][n], row stride n) into ∂Yᵀ ([n][16], 64-byte aligned): weight_gradient.c. */
void brsgd_transpose_output_gradient16(const float *dy, int n, float *dyT);

/* [H][W][B] into the zero-padded [(H + 2p)][(W + 2p)][B]: single_channel_convolution.c. */
void brsgd_single_channel_pad_image(const float *input, float *padded, int height, int width, int batch, int padding);

#endif
