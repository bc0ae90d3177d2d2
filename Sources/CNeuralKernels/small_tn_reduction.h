/* The reduction of OpenBLAS's small-matrix TN SGEMM kernel (0.3.21, SkylakeX), for the kernels
 * of this target that keep its bits: each entry of C is 16 lane sums (positions k ≡ l mod 16),
 * reduced by one of two trees chosen by the entry's place in the kernel's 4 × 4, 4 × 2 and
 * 2 × 1 blocks. Private to CNeuralKernels. */
#ifndef BRSGD_SMALL_TN_REDUCTION_H
#define BRSGD_SMALL_TN_REDUCTION_H

/* Lanes 0-3, 4-7, 8-11, 12-15 summed in pairs, then the four sums in pairs: the tree of the
 * kernel's 4-wide reductions (unpacks, shuffles, then 128-bit adds). */
static inline float small_tn_pairwise_tree(const float *v) {
    float s[4];
    for (int q = 0; q < 4; q++) s[q] = (v[4 * q] + v[4 * q + 1]) + (v[4 * q + 2] + v[4 * q + 3]);
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Lane i + 8 onto i, then i + 4, i + 2, i + 1: the tree of GCC's _mm512_reduce_add_ps, which the
 * kernel uses for entries in neither a 4-wide block of M nor one of N. */
static inline float small_tn_halving_tree(const float *v) {
    float h8[8], h4[4];
    for (int i = 0; i < 8; i++) h8[i] = v[i] + v[i + 8];
    for (int i = 0; i < 4; i++) h4[i] = h8[i] + h8[i + 4];
    return (h4[0] + h4[2]) + (h4[1] + h4[3]);
}

/* out[r][o] (row stride `channels`) = the reduced lanes[r][o][16], or that plus out[r][o] when
 * `accumulates`, for r < rows and o < channels, where C's M is the channels (6 here: 4, then
 * 2) and its N the rows. */
static inline void small_tn_reduce(const float *lanes, int rows, int channels, float *out, int accumulates) {
    const int channels4 = channels & ~3, rows4 = rows & ~3;
    for (int r = 0; r < rows; r++) {
        for (int o = 0; o < channels; o++) {
            const float *v = lanes + (r * channels + o) * 16;
            const float sum = (o >= channels4 && r >= rows4) ? small_tn_halving_tree(v) : small_tn_pairwise_tree(v);
            out[r * channels + o] = accumulates ? out[r * channels + o] + sum : sum;
        }
    }
}

#endif
