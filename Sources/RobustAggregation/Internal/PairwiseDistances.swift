/// Squared Euclidean distances between all pairs of accepted rows, computed once.
///
/// GEMM-friendly: ‖x − y‖² = ‖x‖² + ‖y‖² − 2x·y, with the Gram matrix accumulated block by
/// block over columns (``GramKernel``: each block read from memory once, 4 × 4 pairs at a time
/// in AVX-512 C, else 2 × 4 in Swift, from a contiguous copy in the L1 cache; Float within 32
/// lanes, Double across lanes and blocks, the same bits either way). Where the identity
/// loses precision — the distance is below 10⁻⁴ of ‖x‖² + ‖y‖² (near-duplicate rows, as
/// Byzantine workers sending one shared vector are) or a norm overflowed — that pair is
/// recomputed by the direct formula in Double, so duplicates come out exactly 0.
///
/// - Complexity: O(m'² d) multiply-adds, parallel over column blocks; O(d) more per
///   recomputed pair.
struct PairwiseDistances {
    let count: Int
    /// Row-major count × count, symmetric, zero diagonal.
    private(set) var squared: [Double]

    subscript(i: Int, j: Int) -> Double { squared[i * count + j] }

    init(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int) {
        self.init(gram: Self.gram(rows, columnCount: d), rows: rows, columnCount: d)
    }

    /// The distances between all of `rows`' rows, which are all the rows of their matrix and
    /// not yet checked; nil when some row holds a NaN or ±Inf. Such an entry makes its row's
    /// squared norm (the Gram diagonal) non-finite, so a separate scan is needed only then: if
    /// it finds nothing (a finite row whose squared norm overflowed), the distances are built
    /// from the same Gram matrix as always.
    /// - Complexity: as ``init(_:columnCount:)``, plus O(md) only when a norm is not finite.
    static func checkingFiniteness(of rows: AcceptedRows) -> PairwiseDistances? {
        rows.withRowPointers { pointers in
            let m = pointers.count, d = rows.columnCount
            let gram = Self.gram(pointers, columnCount: d)
            let normsAreFinite = (0 ..< m).allSatisfy { gram[$0 * m + $0].isFinite }
            if !normsAreFinite && !Kernels.finiteRowFlags(rows.matrix).allSatisfy({ $0 }) { return nil }
            return PairwiseDistances(gram: gram, rows: pointers, columnCount: d)
        }
    }

    /// The upper triangle (j ≥ i) of the Gram matrix, m × m row-major: per column block the
    /// dot products (``GramKernel``), then summed over blocks in order.
    static func gram(_ rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int) -> [Double] {
        let m = rows.count
        let blocks = ColumnBlocks(columnCount: d)
        // Per-block partial Gram matrices (upper triangle), summed afterwards in block order.
        var partial = [Double](repeating: 0, count: max(blocks.count, 1) * m * m)
        partial.withUnsafeMutableBufferPointer { partial in
            guard let base = partial.baseAddress else { return }
            Parallel.forEach(blocks.count, work: m * m * d / 2) { b in
                GramKernel.block(rows, columns: blocks.range(b), into: base + b * m * m)
            }
        }
        var gram = [Double](repeating: 0, count: m * m)
        for b in 0 ..< blocks.count {
            for k in 0 ..< m * m { gram[k] += partial[b * m * m + k] }
        }
        return gram
    }

    /// Squared distances from the Gram matrix, or by the direct formula where it loses precision.
    private init(gram: [Double], rows: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int) {
        let m = rows.count
        count = m
        var squared = [Double](repeating: 0, count: m * m)
        for i in 0 ..< m {
            for j in (i + 1) ..< max(i + 1, m) {
                let ni = gram[i * m + i], nj = gram[j * m + j]
                var value = ni + nj - 2 * gram[i * m + j]
                if !(ni.isFinite && nj.isFinite && value.isFinite) || value < 1e-4 * (ni + nj) {
                    value = Kernels.squaredDistanceDirect(rows[i], rows[j], count: d)
                }
                squared[i * m + j] = value
                squared[j * m + i] = value
            }
        }
        self.squared = squared
    }

    /// Krum's score of `i` within `members`: the sum of the squared distances from i to its
    /// `neighbours` nearest other members (Blanchard et al., 2017), summed in ascending
    /// order, so equal multisets of distances give bit-equal scores.
    func krumScore(of i: Int, among members: [Int], neighbours: Int) -> Double {
        var distances: [Double] = []
        distances.reserveCapacity(members.count)
        for j in members where j != i { distances.append(self[i, j]) }
        distances.sort()
        var score = 0.0
        for k in 0 ..< min(neighbours, distances.count) { score += distances[k] }
        return score
    }
}

/// Positions of the `k` smallest scores, ties broken by the lower position.
func positionsOfLowest(_ scores: [Double], count k: Int) -> [Int] {
    Array(scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(k))
}
