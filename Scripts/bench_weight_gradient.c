/* LeNet's second convolution's transposed weight gradient (∂Wᵀ = columns · ∂Yᵀ, 150 × 16 over
 * 400 positions: one micro-batch of 4, 10 × 10 outputs an image) as OpenBLAS's cblas_sgemm computes it and as the engine's
 * AVX-512 kernel brsgd_weight_gradient_out16 does (WeightGradient.swift), both betas: whether
 * every entry has the same bits (50 random trials a shape, a quarter of the values zeros of
 * either sign), and the CPU time of each, one thread, alternating.
 *
 *   clang -O2 -ISources/CNeuralKernels/include Scripts/bench_weight_gradient.c \
 *     Sources/CNeuralKernels/[a-z]*.c -lopenblas -lm -o /tmp/bench_weight_gradient \
 *     && OPENBLAS_NUM_THREADS=1 /tmp/bench_weight_gradient
 *
 * Where OpenBLAS runs its Haswell kernel (an AMD Zen 5; its corename is printed) the kernel timed
 * is brsgd_weight_gradient_out16_haswell, in that kernel's order.
 *
 * Give rows and positions to try another shape: the kernel keeps OpenBLAS's bits only where
 * the engine calls it (16 channels; SkylakeX: ≥ 76 rows, ≤ 448 positions; Haswell: ≤ 320
 * positions); outside, the mismatches show. */
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
    if ((state >> 28) < 4) return (state >> 27) & 1 ? -0.0f : 0.0f;
    return (state >> 8) / 16777216.0f * 2 - 1;
}

int main(int argc, char **argv) {
    int rows = argc > 2 ? atoi(argv[1]) : 150, n = argc > 2 ? atoi(argv[2]) : 400;
    if (!brsgd_neural_kernels_available()) { printf("this CPU lacks AVX-512: nothing to compare\n"); return 0; }
    printf("OpenBLAS core: %s\n", openblas_get_corename());
    int (*kernel)(const float *, int, int, const float *, float *, int) =
        strcasecmp(openblas_get_corename(), "Haswell") == 0 ? brsgd_weight_gradient_out16_haswell
                                                           : brsgd_weight_gradient_out16;
    float *a = malloc(sizeof(float) * rows * n), *b = malloc(sizeof(float) * 16 * n);
    float *c1 = malloc(sizeof(float) * rows * 16), *c2 = malloc(sizeof(float) * rows * 16);
    long mismatches = 0;
    for (int trial = 0; trial < 50; trial++) {
        for (long i = 0; i < (long)rows * n; i++) a[i] = value();
        for (long i = 0; i < 16L * n; i++) b[i] = value();
        for (int accumulates = 0; accumulates < 2; accumulates++) {
            for (int i = 0; i < rows * 16; i++) c1[i] = c2[i] = value();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, 16, n, 1, a, n, b, n, accumulates, c1, 16);
            kernel(a, rows, n, b, c2, accumulates);
            for (int i = 0; i < rows * 16; i++) mismatches += memcmp(c1 + i, c2 + i, sizeof(float)) != 0;
        }
    }
    printf("%d rows x 16 over %d positions: %ld of %d entries differ from OpenBLAS's\n",
           rows, n, mismatches, 50 * 2 * rows * 16);
    /* The product the other way round, dW = dY · columnsᵀ (16 × rows), as the engine forms it
     * without its fast paths: OpenBLAS's SkylakeX kernels give the same entries, its Haswell
     * kernel not. */
    float *plain = malloc(sizeof(float) * rows * 16);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, 16, n, 1, a, n, b, n, 0, c1, 16);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 16, rows, n, 1, b, n, a, n, 0, plain, rows);
    long turned = 0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < 16; j++) turned += memcmp(c1 + i * 16 + j, plain + j * rows + i, sizeof(float)) != 0;
    printf("OpenBLAS's dW^T against its dW (16 x %d), transposed: %ld of %d entries differ\n", rows, turned, rows * 16);
    free(plain);
    for (int accumulates = 0; accumulates < 2; accumulates++) {
        double blas = 0, ours = 0;
        const int calls = 2000;
        for (int round = 0; round < 5; round++) {
            double t0 = cpu();
            for (int r = 0; r < calls; r++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, 16, n, 1, a, n, b, n, accumulates, c1, 16);
            double t1 = cpu();
            for (int r = 0; r < calls; r++) kernel(a, rows, n, b, c2, accumulates);
            double t2 = cpu();
            blas += t1 - t0;
            ours += t2 - t1;
        }
        printf("beta %d: OpenBLAS %.2f us, ours %.2f us a call (%.2fx)\n", accumulates,
               blas / (5.0 * calls) * 1e6, ours / (5.0 * calls) * 1e6, blas / ours);
    }
    return 0;
}
