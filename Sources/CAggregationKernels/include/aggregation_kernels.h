/* RobustAggregation's kernels that gain from AVX-512 or AVX2, for x86-64 CPUs that have
 * them, chosen at run time: the median selection networks (MedianNetworks.generated.swift),
 * BrSGD's tile step (BrSGDBlockKernel.swift) and the iterative rules' fused tile
 * (MoveAndMeasure.swift), 16 columns at once, and the Gram matrix of Krum's pairwise distances
 * (GramKernel.swift), 16 pairs at once. Written in C for its
 * per-function target attributes (Swift has none, and a package-wide CPU flag would make the
 * package impossible to depend on by URL). Every operation is the Swift kernel's, lane by
 * lane and in the same order, so the results have its bits. */
#ifndef BRSGD_AGGREGATION_KERNELS_H
#define BRSGD_AGGREGATION_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "kernel_selection.h"

#if defined(__x86_64__) && defined(__clang__)
#define BRSGD_KERNELS_X86 1
#else
#define BRSGD_KERNELS_X86 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The instruction sets (BRSGD_ISA_…) and the path BRSGD_KERNELS selects: kernel_selection.h.
 * Each kernel below runs only where brsgd_selected_isa() allows its instruction set. */

/* out[l] = the median of rows[0][column + l], …, rows[row_count − 1][column + l] for
 * l in 0..<16 (for an even count, lower · ½ + upper · ½), computed with instruction set
 * `isa`. Returns 1, or 0 (out untouched) when row_count is outside 1...32 or `isa` is not
 * one this build and CPU run. O(comparators) vector instructions, about 81 for 20 rows. */
int brsgd_median16(int isa, int row_count, const float *const *rows, ptrdiff_t column, float *out);

/* Steps 1–3 of BrSGD's Algorithm 2 for the 16 columns column ..< column + 16 of m ≤ 32
 * rows, in AVX-512, as BrSGDBlockKernel.fullTile computes them: copies each row's 16 values
 * into `tile` (m × 16 floats, row r at 16r) while summing them in row order; a = sum / m;
 * count = #{i : x_i ≥ a} and sign = −1 where 2·count < m, else +1; adds sign to
 * score_lanes[r] (m × 16 int32) where x_r ≥ a; writes the median of the 16 columns to
 * `median` (the median network on the tile); adds |x_r − median| to distance_lanes[r]
 * (m × 16 floats). Returns 1 when the 16 means are finite, 0 when not, −1 (nothing
 * touched) when m is outside 1...32 or the CPU lacks AVX-512. O(m) vector loads and
 * stores, plus the network's comparators. */
int brsgd_brsgd_tile16(int row_count, const float *const *rows, ptrdiff_t column, float *tile, float *median,
                       int32_t *score_lanes, float *distance_lanes);

/* How the fused tile of the iterative rules updates the point before measuring. */
enum {
    BRSGD_UPDATE_NONE = 0,    /* the point is left as it is */
    BRSGD_UPDATE_MEAN = 1,    /* point = the column mean, rows added in order, / m */
    BRSGD_UPDATE_MEDIAN = 2,  /* point = the column median (the median network on the tile) */
    BRSGD_UPDATE_MOVE = 3     /* point += Σ_i weights[i] · (x_i − point), rows in order from 0 */
};

/* One full tile of MoveAndMeasure.block (geometric median, centered clipping) in AVX-512,
 * for the 16 columns column ..< column + 16 of m ≤ 32 rows: copies them into `tile` (m × 16
 * floats), writes point[0..<16] by `update`, then, when `sums` (m × 16 floats) is not NULL,
 * adds (x_r − point)² to sums[r] lane by lane. Returns 1, or −1 (nothing touched) when m is
 * outside 1...32, `update` unknown, or the CPU lacks AVX-512. O(m) vector operations, plus
 * the network's comparators for the median. */
int brsgd_move_and_measure_tile16(int row_count, const float *const *rows, ptrdiff_t column, float *tile,
                                  int update, const float *weights, float *point, float *sums);

/* The Gram matrix of one column block in AVX-512, as GramKernel.swiftBlock computes it:
 * gram[i · m + j] = rows[i] · rows[j] over the columns start ..< start + width, for every
 * j ≥ i (the entries below the diagonal are not written). Each dot product is summed in Float
 * in 32 lanes (lane l of a 32-column chunk gathers the products of columns l, l + 32, … in
 * order, a product then a sum, no fused multiply-add), the two 16-lane halves added lane by
 * lane, the 16 lanes summed in Double in order, then the columns past the last full chunk
 * added one by one in Double (the Float product, converted). The block is copied sub-tile by
 * sub-tile (24 KB of all rows) into a contiguous scratch, and 4 × 4 pairs are updated at
 * once, their 16 accumulators in registers (8 loads per 16 products). Returns 1, or −1
 * (nothing written) when m is outside 1...64, the scratch cannot be allocated, or the CPU
 * lacks AVX-512. O(m² · width) products; a 24 KB copy and 2 KB of accumulators per 4 × 4 pairs of
 * scratch. */
int brsgd_gram_block(int row_count, const float *const *rows, ptrdiff_t start, ptrdiff_t width, double *gram);

#ifdef __cplusplus
}
#endif

#endif
