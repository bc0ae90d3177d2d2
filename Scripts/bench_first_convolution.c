/* LeNet's first convolution (1 → 6 channels, 5 × 5, padding 2, on 28 × 28 images) on a
 * micro-batch of 4 and of 8, as the engine computed it before (im2col, then OpenBLAS's
 * cblas_sgemm for the forward product and for ∂Wᵀ = columns · ∂Yᵀ) and as its AVX-512 kernels
 * do now (single_channel_convolution.c: no im2col; weight_gradient_out6.c: ∂Wᵀ from the
 * columns): whether every output has the same bits (20 random trials, a tenth of the values
 * zeros of either sign), and the CPU time of each, one thread, the best of 30 alternating rounds.
 *
 *   clang -O2 -ISources/CNeuralKernels/include Scripts/bench_first_convolution.c \
 *     Sources/CNeuralKernels/[a-z]*.c -lopenblas -o /tmp/bench_first_convolution \
 *     && OPENBLAS_NUM_THREADS=1 /tmp/bench_first_convolution
 *
 * The kernels keep the orders of OpenBLAS's SkylakeX kernels, or where OpenBLAS runs its
 * Haswell kernel (its corename is printed; an AMD Zen 5), the Haswell-order kernels of
 * haswell_order.c, which have no from-the-columns ∂Wᵀ (that line then times the image one). */
#include "neural_kernels.h"
#include "bench_support.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static float value(void) {
    const unsigned state = next_state();
    if ((state >> 28) < 2) return (state >> 27) & 1 ? -0.0f : 0.0f;
    return ((state >> 8) / 16777216.0f * 2 - 1) * (float)(1 << ((state >> 4) & 7)) / 16;
}

static long differ(const float *a, const float *b, long n) {
    long count = 0;
    for (long i = 0; i < n; i++) count += memcmp(a + i, b + i, sizeof(float)) != 0;
    return count;
}

enum { H = 28, W = 28, K = 5, P = 2, TAPS = 25 };

int main(void) {
    printf("OpenBLAS core: %s\n", openblas_get_corename());
    if (!brsgd_neural_kernels_available()) { printf("this CPU lacks AVX-512: nothing to compare\n"); return 0; }
    const int haswell = strcasecmp(openblas_get_corename(), "Haswell") == 0;
    int (*forward_kernel)(const float *, const float *, float *, float *, int, int, int, int, int) =
        haswell ? brsgd_single_channel_convolution_forward_haswell : brsgd_single_channel_convolution_forward;
    int (*gradient_kernel)(const float *, const float *, float *, int, int, int, int, int, int) =
        haswell ? brsgd_single_channel_convolution_weight_gradient_haswell
                : brsgd_single_channel_convolution_weight_gradient;
    for (int batch = 4; batch <= 8; batch += 4) {
        const int n = H * W * batch;
        float *input = malloc(sizeof(float) * H * W * batch), *columns = malloc(sizeof(float) * TAPS * n);
        float *padded = malloc(sizeof(float) * brsgd_single_channel_padded_count(H, W, batch, P));
        float *weights = malloc(sizeof(float) * 6 * TAPS), *dy = malloc(sizeof(float) * 6 * n);
        float *y1 = malloc(sizeof(float) * 6 * n), *y2 = malloc(sizeof(float) * 6 * n);
        float g1[6 * TAPS], g2[6 * TAPS], g3[6 * TAPS];
        long forward = 0, gradient = 0, fromColumns = 0;
        for (int trial = 0; trial < 20; trial++) {
            for (long i = 0; i < (long)H * W * batch; i++) input[i] = value();
            for (int i = 0; i < 6 * TAPS; i++) weights[i] = value();
            for (long i = 0; i < 6L * n; i++) { y1[i] = y2[i] = value(); dy[i] = value(); }
            brsgd_im2col_stride1(input, columns, 1, H, W, batch, K, P);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 6, n, TAPS, 1, weights, TAPS, columns, n, 1, y1, n);
            forward_kernel(input, weights, padded, y2, H, W, batch, K, P);
            forward += differ(y1, y2, 6L * n);
            for (int accumulates = 0; accumulates < 2; accumulates++) {
                for (int i = 0; i < 6 * TAPS; i++) g1[i] = g2[i] = g3[i] = accumulates ? value() : 0;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TAPS, 6, n, 1, columns, n, dy, n, accumulates, g1, 6);
                gradient_kernel(padded, dy, g2, accumulates, H, W, batch, K, P);
                if (haswell) gradient_kernel(padded, dy, g3, accumulates, H, W, batch, K, P);
                else brsgd_weight_gradient_out6(columns, TAPS, n, dy, g3, accumulates);
                gradient += differ(g1, g2, 6 * TAPS);
                fromColumns += differ(g1, g3, 6 * TAPS);
            }
        }
        printf("micro-batch of %d: entries unlike OpenBLAS's: forward %ld of %ld, dW from the image %ld of %d", batch,
               forward, 20L * 6 * n, gradient, 40 * 6 * TAPS);
        if (haswell) printf("\n");
        else printf(", dW from the columns %ld of %d\n", fromColumns, 40 * 6 * TAPS);
        double best[5] = {1e9, 1e9, 1e9, 1e9, 1e9};
        for (int round = 0; round < 30; round++) {
            for (int v = 0; v < 5; v++) {
                const double start = cpu();
                for (int i = 0; i < 500; i++) {
                    switch (v) {
                        case 0:
                            brsgd_im2col_stride1(input, columns, 1, H, W, batch, K, P);
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 6, n, TAPS, 1, weights, TAPS, columns,
                                        n, 1, y1, n);
                            break;
                        case 1: forward_kernel(input, weights, padded, y2, H, W, batch, K, P); break;
                        case 2:
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TAPS, 6, n, 1, columns, n, dy, n, 0, g1, 6);
                            break;
                        case 3: gradient_kernel(padded, dy, g2, 0, H, W, batch, K, P); break;
                        default:
                            if (haswell) gradient_kernel(padded, dy, g3, 0, H, W, batch, K, P);
                            else brsgd_weight_gradient_out6(columns, TAPS, n, dy, g3, 0);
                            break;
                    }
                }
                const double us = (cpu() - start) / 500 * 1e6;
                if (us < best[v]) best[v] = us;
            }
        }
        printf("  forward: im2col + OpenBLAS %.2f us, without im2col %.2f us (%.2fx)\n", best[0], best[1], best[0] / best[1]);
        printf("  dW: OpenBLAS %.2f us, from the image %.2f us (%.2fx)", best[2], best[3], best[2] / best[3]);
        if (haswell) printf("\n");
        else printf(", from the columns %.2f us (%.2fx)\n", best[4], best[2] / best[4]);
        free(input); free(columns); free(padded); free(weights); free(dy); free(y1); free(y2);
    }
    return 0;
}
