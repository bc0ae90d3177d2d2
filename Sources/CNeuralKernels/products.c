/* The engine's matrix products in AVX-512 and in AVX2 with FMA (see products.h): one source,
 * products_template.h, instantiated for each instruction set with its own register tiles. The
 * orders are Products.swift's; only the tiling differs between the sets, never an entry's
 * order. */
#include "products.h"

#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#pragma clang fp contract(off)

typedef float v16 __attribute__((ext_vector_type(16)));
typedef float v16u __attribute__((ext_vector_type(16), aligned(4)));
typedef float v8 __attribute__((ext_vector_type(8)));
typedef float v8u __attribute__((ext_vector_type(8), aligned(4)));
typedef float v4 __attribute__((ext_vector_type(4)));
typedef float v2 __attribute__((ext_vector_type(2)));

/* Lanes 0 ..< count of `type` (a vector type of `width` floats) from p[0 ..< count], zeros above,
 * reading only those floats; and the converse store of lanes 0 ..< count. Macros, not functions:
 * a function returning a 512-bit vector would need the AVX-512 ABI in the AVX2 kernels too. */
#define LOAD_PART(type, utype, width, p, count) \
    ({ \
        float lanes_[width] = {0}; \
        memcpy(lanes_, (p), (size_t)(count) * sizeof(float)); \
        (type) * (const utype *)lanes_; \
    })
#define STORE_PART(utype, width, p, v, count) \
    do { \
        float lanes_[width]; \
        *(utype *)lanes_ = (v); \
        memcpy((p), lanes_, (size_t)(count) * sizeof(float)); \
    } while (0)
#define brsgd_v16_load_part(p, count) LOAD_PART(v16, v16u, 16, p, count)
#define chain_load_part_avx512(p, count) LOAD_PART(v16, v16u, 16, p, count)
#define chain_store_part_avx512(p, v, count) STORE_PART(v16u, 16, p, v, count)
#define chain_load_part_avx2(p, count) LOAD_PART(v8, v8u, 8, p, count)
#define chain_store_part_avx2(p, v, count) STORE_PART(v8u, 8, p, v, count)

/* AVX-512: 32 registers. The chain tile holds 4 × 4 vectors of 16 (16 accumulators, 4 loads, a
 * broadcast); the lane tile 4 × 4 accumulators of 16 lanes and 8 loads. */
#define ISA_TARGET "avx512f,avx2,fma"
#define ISA_SUFFIX avx512
#define CHAIN_VEC v16
#define CHAIN_UVEC v16u
#define CHAIN_LANES 16
#define CHAIN_ROWS 4
#define CHAIN_VECTORS 4
#define LANE_ROWS 4
#define LANE_COLUMNS 4
#include "products_template.h"
#undef ISA_TARGET
#undef ISA_SUFFIX
#undef CHAIN_VEC
#undef CHAIN_UVEC
#undef CHAIN_LANES
#undef CHAIN_ROWS
#undef CHAIN_VECTORS
#undef LANE_ROWS
#undef LANE_COLUMNS

/* AVX2: 16 registers. The chain tile holds 4 × 3 vectors of 8 (12 accumulators); a lane
 * accumulator of 16 lanes is two registers, so the lane tile is 2 × 3 (12 registers). */
#define ISA_TARGET "avx2,fma"
#define ISA_SUFFIX avx2
#define CHAIN_VEC v8
#define CHAIN_UVEC v8u
#define CHAIN_LANES 8
#define CHAIN_ROWS 4
#define CHAIN_VECTORS 3
#define LANE_ROWS 2
#define LANE_COLUMNS 3
#include "products_template.h"

int brsgd_chain_product(int isa, int transposes_a, int m, int n, int k, const float *a, ptrdiff_t lda,
                        const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulates) {
    if (isa == BRSGD_ISA_NONE || isa > brsgd_cpu_isa()) return 0;
    if (m <= 0 || n <= 0) return 1;
    if (isa == BRSGD_ISA_AVX512) chain_product_avx512(transposes_a, m, n, k, a, lda, b, ldb, c, ldc, accumulates);
    else chain_product_avx2(transposes_a, m, n, k, a, lda, b, ldb, c, ldc, accumulates);
    return 1;
}

int brsgd_lane_product(int isa, int m, int n, int k, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                       float *c, ptrdiff_t ldc, int accumulates) {
    if (isa == BRSGD_ISA_NONE || isa > brsgd_cpu_isa()) return 0;
    if (m <= 0 || n <= 0) return 1;
    if (isa == BRSGD_ISA_AVX512) lane_product_avx512(m, n, k, a, lda, b, ldb, c, ldc, accumulates);
    else lane_product_avx2(m, n, k, a, lda, b, ldb, c, ldc, accumulates);
    return 1;
}
#else
int brsgd_chain_product(int isa, int transposes_a, int m, int n, int k, const float *a, ptrdiff_t lda,
                        const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulates) {
    (void)isa; (void)transposes_a; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb; (void)c;
    (void)ldc; (void)accumulates;
    return 0;
}

int brsgd_lane_product(int isa, int m, int n, int k, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                       float *c, ptrdiff_t ldc, int accumulates) {
    (void)isa; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb; (void)c; (void)ldc;
    (void)accumulates;
    return 0;
}
#endif
