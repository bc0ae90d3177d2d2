/* The engine's matrix products, in two orders of operations that NeuralEngine defines
 * (Products.swift holds the plain Swift reference of each), here in AVX-512 and in AVX2 with
 * FMA. Each entry is formed exactly as the reference forms it, whatever the vector width or
 * the tiling, so every path gives the same bits (no order is borrowed from a BLAS library).
 * Written in C for its per-function target attributes (Swift has none, and a package-wide CPU
 * flag would make the package impossible to depend on by URL). */
#ifndef BRSGD_PRODUCTS_H
#define BRSGD_PRODUCTS_H

#include <stddef.h>

#include "kernel_selection.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The chain order, C = [C +] op(A) · B, for op(A) m × k and B k × n (row-major):
 *
 *   acc = accumulates ? C[i][j] : +0
 *   for p in 0 ..< k:  acc = fma(op(A)[i][p], B[p][j], acc)
 *   C[i][j] = acc
 *
 * op(A)[i][p] is a[i · lda + p], or a[p · lda + i] with `transposes_a`; B[p][j] is b[p · ldb + j]
 * and C[i][j] c[i · ldc + j]. Each entry is one chain of fused multiply-adds, in order of p, so
 * adding to C across calls continues the chain. Lanes run over j.
 * Returns 1, or 0 (nothing touched) when `isa` is BRSGD_ISA_NONE or one this CPU lacks.
 * O(m · n · k) fused multiply-adds. */
int brsgd_chain_product(int isa, int transposes_a, int m, int n, int k, const float *a, ptrdiff_t lda,
                        const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulates);

/* The lane order, C = [C +] A · Bᵀ, for A m × k and B n × k (row-major, the sums along rows):
 *
 *   s[l] = +0 for l < 16;  for p in 0 ..< k:  s[p mod 16] = fma(A[i][p], B[j][p], s[p mod 16])
 *   t = ((s[0..8] + s[8..16]) pairwise, then [0..4] + [4..8], [0..2] + [2..4], [0] + [1])
 *   C[i][j] = accumulates ? C[i][j] + t : t
 *
 * that is sixteen chains, one per lane p mod 16, reduced by halving: lane l += lane l + 8, then
 * l += l + 4, l += l + 2, l += l + 1. Returns 1, or 0 (nothing touched) as above.
 * O(m · n · k) fused multiply-adds. */
int brsgd_lane_product(int isa, int m, int n, int k, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                       float *c, ptrdiff_t ldc, int accumulates);

#ifdef __cplusplus
}
#endif

#endif
