/* The GEMMs of one LeNet-5 micro-batch of 4 images as the engine calls them (one thread,
 * row-major cblas_sgemm), timed one by one in CPU time, against the same products for a
 * whole round of m = 20 workers with batches of 8 (40 micro-batches) computed as one call
 * per layer (the weight gradients stay per micro-batch: they are per worker); and whether
 * the batched call gives each micro-batch's block the bytes of its own call.
 *
 *   gcc -O2 Scripts/bench_lenet_gemms.c -o /tmp/bench_lenet_gemms -lopenblas && /tmp/bench_lenet_gemms
 *
 * With OpenBLAS 0.3.21 (Cooperlake kernels) on the 2-core EPYC, every per-micro-batch
 * product stays under OpenBLAS's small-matrix threshold (M·N·K ≤ 10⁶; conv2's three are
 * 960,000) and runs its direct kernels at 47–110 GFLOP/s from cache; batched, the
 * convolutions' calls leave that path and the cache (conv1 forward 22 GFLOP/s), and the
 * dense layers' forward products change bytes (the small NT kernel sums in another order).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *filled(long n, unsigned seed) {
    float *p = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (seed >> 8) / 16777216.0f * 2 - 1;
    }
    return p;
}

typedef struct { const char *name; int transA, transB, m, n, k; float beta; int batchedAlong; } Product;
enum { perMicroBatch = 0, alongN = 1, alongM = 2 };

static void sgemm(const Product *p, int m, int n, const float *a, const float *b, float *c) {
    int lda = p->transA ? m : p->k, ldb = p->transB ? p->k : n;
    cblas_sgemm(CblasRowMajor, p->transA ? CblasTrans : CblasNoTrans, p->transB ? CblasTrans : CblasNoTrans,
                m, n, p->k, 1, a, lda, b, ldb, p->beta, c, n);
}

/* Microseconds per call of p with extents m × n, after a warm-up. */
static double timed(const Product *p, int m, int n, int reps) {
    float *a = filled((long)m * p->k, 1), *b = filled((long)p->k * n, 2), *c = filled((long)m * n, 3);
    for (int r = 0; r < 3; r++) sgemm(p, m, n, a, b, c);
    double t = cpu();
    for (int r = 0; r < reps; r++) sgemm(p, m, n, a, b, c);
    t = (cpu() - t) / reps;
    free(a); free(b); free(c);
    return t * 1e6;
}

/* Values of the batched product that differ from the per-micro-batch calls' (A, B, C not transposed
 * along the batched extent: the batched operand is B for alongN and A for alongM). */
static long differing(const Product *p, int groups) {
    int m = p->m, n = p->n, bigM = p->batchedAlong == alongM ? m * groups : m;
    int bigN = p->batchedAlong == alongN ? n * groups : n;
    float *a = filled((long)bigM * p->k, 4), *b = filled((long)p->k * bigN, 5), *c0 = filled((long)bigM * bigN, 6);
    float *c = malloc(sizeof(float) * bigM * bigN), *small = malloc(sizeof(float) * m * n);
    float *as = malloc(sizeof(float) * m * p->k), *bs = malloc(sizeof(float) * p->k * n);
    memcpy(c, c0, sizeof(float) * bigM * bigN);
    sgemm(p, bigM, bigN, a, b, c);
    long bad = 0;
    for (int g = 0; g < groups; g++) {
        if (p->batchedAlong == alongN) {   /* B is K × bigN (not transposed): take columns g·n ..< (g+1)·n */
            memcpy(as, a, sizeof(float) * m * p->k);
            for (int r = 0; r < p->k; r++) memcpy(bs + (long)r * n, b + (long)r * bigN + (long)g * n, sizeof(float) * n);
            for (int i = 0; i < m; i++) memcpy(small + (long)i * n, c0 + (long)i * bigN + (long)g * n, sizeof(float) * n);
        } else {                             /* A is bigM × K (not transposed): take rows g·m ..< (g+1)·m */
            memcpy(as, a + (long)g * m * p->k, sizeof(float) * m * p->k);
            memcpy(bs, b, sizeof(float) * p->k * n);
            memcpy(small, c0 + (long)g * m * n, sizeof(float) * m * n);
        }
        sgemm(p, m, n, as, bs, small);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float big = p->batchedAlong == alongN ? c[(long)i * bigN + (long)g * n + j] : c[((long)g * m + i) * n + j];
                if (memcmp(&big, &small[(long)i * n + j], sizeof(float))) bad++;
            }
    }
    free(a); free(b); free(c0); free(c); free(small); free(as); free(bs);
    return bad;
}

int main(void) {
    openblas_set_num_threads(1);
    const int groups = 40;   /* 20 workers × 8 examples = 40 micro-batches of 4 */
    const Product products[] = {
        {"conv1 forward", 0, 0, 6, 784 * 4, 25, 1, alongN},
        {"conv2 forward", 0, 0, 16, 100 * 4, 150, 1, alongN},
        {"dense1 forward", 0, 1, 4, 120, 400, 1, alongM},
        {"dense2 forward", 0, 1, 4, 84, 120, 1, alongM},
        {"dense3 forward", 0, 1, 4, 10, 84, 1, alongM},
        {"dense3 weight grad", 1, 0, 10, 84, 4, 1, perMicroBatch},
        {"dense3 input grad", 0, 0, 4, 84, 10, 0, alongM},
        {"dense2 weight grad", 1, 0, 84, 120, 4, 1, perMicroBatch},
        {"dense2 input grad", 0, 0, 4, 120, 84, 0, alongM},
        {"dense1 weight grad", 1, 0, 120, 400, 4, 1, perMicroBatch},
        {"dense1 input grad", 0, 0, 4, 400, 120, 0, alongM},
        {"conv2 weight grad", 0, 1, 16, 150, 400, 1, perMicroBatch},
        {"conv2 input grad", 1, 0, 150, 400, 16, 0, alongN},
        {"conv1 weight grad", 0, 1, 6, 25, 3136, 1, perMicroBatch},
    };
    double total = 0, totalBatched = 0;
    printf("%-20s %12s %22s %16s\n", "product", "per call", "batched, per 4 images", "differing values");
    for (size_t i = 0; i < sizeof products / sizeof products[0]; i++) {
        const Product *p = &products[i];
        double one = timed(p, p->m, p->n, 2000), batched = one;
        long bad = 0;
        if (p->batchedAlong == alongN) batched = timed(p, p->m, p->n * groups, 50) / groups;
        if (p->batchedAlong == alongM) batched = timed(p, p->m * groups, p->n, 50) / groups;
        if (p->batchedAlong != perMicroBatch) bad = differing(p, groups);
        total += one;
        totalBatched += batched;
        printf("%-20s %9.2f us %19.2f us %16ld\n", p->name, one, batched, bad);
    }
    printf("all products of a micro-batch of 4: %.1f us per call (%.0f images/s), batched %.1f us (%.0f images/s)\n",
           total, 4e6 / total, totalBatched, 4e6 / totalBatched);
    return 0;
}
