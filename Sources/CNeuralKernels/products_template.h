/* The body of products.c's kernels for one instruction set, included once per set with:
 *   ISA_TARGET   the target attribute ("avx512f,avx2,fma" or "avx2,fma")
 *   ISA_SUFFIX   the functions' suffix (avx512 or avx2)
 *   CHAIN_VEC    the vector type the chain kernel works in (v16 or v8) and CHAIN_LANES its width
 *   CHAIN_ROWS, CHAIN_VECTORS   the chain kernel's register tile (rows × vectors)
 *   LANE_ROWS, LANE_COLUMNS     the lane kernel's register tile (rows of A × rows of B)
 * Private to CNeuralKernels. */

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define NAME(f) CAT(f, ISA_SUFFIX)

/* One tile of the chain order: rows i0 ..< i0 + R, columns j0 ..< j0 + V · CHAIN_LANES, the
 * last vector holding `last` columns (1 ... CHAIN_LANES). */
__attribute__((target(ISA_TARGET), always_inline))
static inline void NAME(chain_tile)(const int R, const int V, const int last, int transposes_a, int k,
                                    const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c,
                                    ptrdiff_t ldc, int accumulates) {
    CHAIN_VEC acc[CHAIN_ROWS][CHAIN_VECTORS];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) {
            if (!accumulates) {
                acc[r][v] = (CHAIN_VEC)0;
            } else if (v < V - 1 || last == CHAIN_LANES) {
                acc[r][v] = *(const CHAIN_UVEC *)(c + r * ldc + v * CHAIN_LANES);
            } else {
                acc[r][v] = CAT(chain_load_part, ISA_SUFFIX)(c + r * ldc + v * CHAIN_LANES, last);
            }
        }
    }
    const ptrdiff_t a_row = transposes_a ? 1 : lda, a_step = transposes_a ? lda : 1;
    for (int p = 0; p < k; p++) {
        CHAIN_VEC x[CHAIN_VECTORS];
        const float *bp = b + p * ldb;
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) {
            x[v] = (v < V - 1 || last == CHAIN_LANES) ? *(const CHAIN_UVEC *)(bp + v * CHAIN_LANES)
                                                      : CAT(chain_load_part, ISA_SUFFIX)(bp + v * CHAIN_LANES, last);
        }
        const float *ap = a + p * a_step;
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const CHAIN_VEC w = (CHAIN_VEC)ap[r * a_row];
#pragma clang loop unroll(full)
            for (int v = 0; v < V; v++) acc[r][v] = __builtin_elementwise_fma(w, x[v], acc[r][v]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) {
            float *cv = c + r * ldc + v * CHAIN_LANES;
            if (v < V - 1 || last == CHAIN_LANES) {
                *(CHAIN_UVEC *)cv = acc[r][v];
            } else {
                CAT(chain_store_part, ISA_SUFFIX)(cv, acc[r][v], last);
            }
        }
    }
}

/* The tiles of one row block of R rows: full tiles of CHAIN_VECTORS vectors, then the rest. */
__attribute__((target(ISA_TARGET), always_inline))
static inline void NAME(chain_rows)(const int R, int transposes_a, int n, int k, const float *a, ptrdiff_t lda,
                                    const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulates) {
    const int width = CHAIN_VECTORS * CHAIN_LANES;
    int j = 0;
    for (; j + width <= n; j += width)
        NAME(chain_tile)(R, CHAIN_VECTORS, CHAIN_LANES, transposes_a, k, a, lda, b + j, ldb, c + j, ldc, accumulates);
    const int rest = n - j;
    if (rest <= 0) return;
    const int vectors = (rest + CHAIN_LANES - 1) / CHAIN_LANES;
    const int last = rest - (vectors - 1) * CHAIN_LANES;
    switch (vectors) {
#define CHAIN_REST(V) \
    case V: \
        if (V <= CHAIN_VECTORS) { \
            if (last == CHAIN_LANES) \
                NAME(chain_tile)(R, V, CHAIN_LANES, transposes_a, k, a, lda, b + j, ldb, c + j, ldc, accumulates); \
            else \
                NAME(chain_tile)(R, V, last, transposes_a, k, a, lda, b + j, ldb, c + j, ldc, accumulates); \
        } \
        break;
    CHAIN_REST(1) CHAIN_REST(2) CHAIN_REST(3) CHAIN_REST(4)
#undef CHAIN_REST
    default: break;
    }
}

__attribute__((target(ISA_TARGET)))
static void NAME(chain_product)(int transposes_a, int m, int n, int k, const float *a, ptrdiff_t lda,
                                const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulates) {
    const ptrdiff_t a_row = transposes_a ? 1 : lda;
    int i = 0;
    for (; i + CHAIN_ROWS <= m; i += CHAIN_ROWS)
        NAME(chain_rows)(CHAIN_ROWS, transposes_a, n, k, a + i * a_row, lda, b, ldb, c + i * ldc, ldc, accumulates);
    switch (m - i) {
#define CHAIN_ROW_REST(R) \
    case R: \
        if (R < CHAIN_ROWS) \
            NAME(chain_rows)(R, transposes_a, n, k, a + i * a_row, lda, b, ldb, c + i * ldc, ldc, accumulates); \
        break;
    CHAIN_ROW_REST(1) CHAIN_ROW_REST(2) CHAIN_ROW_REST(3) CHAIN_ROW_REST(4) CHAIN_ROW_REST(5) CHAIN_ROW_REST(6)
    CHAIN_ROW_REST(7)
#undef CHAIN_ROW_REST
    default: break;
    }
}

/* One tile of the lane order: rows i0 ..< i0 + R of A against rows j0 ..< j0 + S of B. */
__attribute__((target(ISA_TARGET), always_inline))
static inline void NAME(lane_tile)(const int R, const int S, int k, const float *a, ptrdiff_t lda, const float *b,
                                   ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulates) {
    v16 s[LANE_ROWS][LANE_COLUMNS];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int q = 0; q < S; q++) s[r][q] = (v16)0;
    int p = 0;
    for (; p + 16 <= k; p += 16) {
        v16 x[LANE_ROWS], y[LANE_COLUMNS];
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) x[r] = *(const v16u *)(a + r * lda + p);
#pragma clang loop unroll(full)
        for (int q = 0; q < S; q++) y[q] = *(const v16u *)(b + q * ldb + p);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
            for (int q = 0; q < S; q++) s[r][q] = __builtin_elementwise_fma(x[r], y[q], s[r][q]);
    }
    if (p < k) {
        /* The last k − p positions, in lanes 0 ..< k − p; the empty lanes add fma(0, 0, s) = s
         * (a lane is never −0: it starts at +0, and x + (+0) is +0 for x = ±0). */
        v16 x[LANE_ROWS], y[LANE_COLUMNS];
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) x[r] = brsgd_v16_load_part(a + r * lda + p, k - p);
#pragma clang loop unroll(full)
        for (int q = 0; q < S; q++) y[q] = brsgd_v16_load_part(b + q * ldb + p, k - p);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
            for (int q = 0; q < S; q++) s[r][q] = __builtin_elementwise_fma(x[r], y[q], s[r][q]);
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int q = 0; q < S; q++) {
            const v8 half = s[r][q].lo + s[r][q].hi;
            const v4 quarter = half.lo + half.hi;
            const v2 pair = quarter.lo + quarter.hi;
            const float t = pair.x + pair.y;
            float *cq = c + r * ldc + q;
            *cq = accumulates ? *cq + t : t;
        }
}

/* The tiles of one row block of R rows of A: S = LANE_COLUMNS rows of B at a time, then the rest. */
__attribute__((target(ISA_TARGET), always_inline))
static inline void NAME(lane_rows)(const int R, int n, int k, const float *a, ptrdiff_t lda, const float *b,
                                   ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulates) {
    int j = 0;
    for (; j + LANE_COLUMNS <= n; j += LANE_COLUMNS)
        NAME(lane_tile)(R, LANE_COLUMNS, k, a, lda, b + j * ldb, ldb, c + j, ldc, accumulates);
    switch (n - j) {
#define LANE_REST(S) \
    case S: \
        if (S < LANE_COLUMNS) NAME(lane_tile)(R, S, k, a, lda, b + j * ldb, ldb, c + j, ldc, accumulates); \
        break;
    LANE_REST(1) LANE_REST(2) LANE_REST(3) LANE_REST(4) LANE_REST(5)
#undef LANE_REST
    default: break;
    }
}

__attribute__((target(ISA_TARGET)))
static void NAME(lane_product)(int m, int n, int k, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                               float *c, ptrdiff_t ldc, int accumulates) {
    int i = 0;
    for (; i + LANE_ROWS <= m; i += LANE_ROWS)
        NAME(lane_rows)(LANE_ROWS, n, k, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulates);
    switch (m - i) {
#define LANE_ROW_REST(R) \
    case R: \
        if (R < LANE_ROWS) NAME(lane_rows)(R, n, k, a + i * lda, lda, b, ldb, c + i * ldc, ldc, accumulates); \
        break;
    LANE_ROW_REST(1) LANE_ROW_REST(2) LANE_ROW_REST(3) LANE_ROW_REST(4) LANE_ROW_REST(5)
#undef LANE_ROW_REST
    default: break;
    }
}

#undef NAME
#undef CAT
#undef CAT_
