/// Distances and inner products among the honest rows, for the attacks that bound or rank
/// their vector by the honest geometry (min-max, min-sum, mimic's max-variance target).
///
/// Every kernel reads rows contiguously, subtracts in `Float` (as the rows are stored) and
/// accumulates in `Double`, row by row in ``HonestGradients/rowIndices`` order, so the
/// result is the same bytes on every run. Nothing here allocates more than O(h) or O(h²).
extension HonestGradients {
    /// For each honest row i (in ``rowIndices`` order): a_i = ‖g_i − center‖² and
    /// b_i = (g_i − center)·direction.
    /// - Precondition: `center.count == direction.count == columnCount`.
    /// - Complexity: O(h·d), one pass over the honest rows.
    func squaredDistancesAndProjections(
        center: UnsafeBufferPointer<Float>, direction: UnsafeBufferPointer<Float>
    ) -> (squaredDistances: [Double], projections: [Double]) {
        precondition(center.count == columnCount && direction.count == columnCount,
                     "center and direction must have \(columnCount) values")
        let d = columnCount
        var squaredDistances = [Double](repeating: 0, count: count)
        var projections = [Double](repeating: 0, count: count)
        guard d > 0 else { return (squaredDistances, projections) }
        let mu = center.baseAddress!, p = direction.baseAddress!
        matrix.withUnsafeStorage { all in
            let base = all.baseAddress!
            for (position, row) in rowIndices.enumerated() {
                let g = base + row * d
                var a = 0.0, b = 0.0
                for c in 0 ..< d {
                    let deviation = Double(g[c] - mu[c])
                    a += deviation * deviation
                    b += deviation * Double(p[c])
                }
                squaredDistances[position] = a
                projections[position] = b
            }
        }
        return (squaredDistances, projections)
    }

    /// max over honest pairs i < j of ‖g_i − g_j‖² (0 when h ≤ 1).
    /// - Complexity: O(h²·d): h(h − 1)/2 passes of length d.
    func maximumPairwiseSquaredDistance() -> Double {
        let d = columnCount
        guard count >= 2, d > 0 else { return 0 }
        var maximum = 0.0
        matrix.withUnsafeStorage { all in
            let base = all.baseAddress!
            for i in 0 ..< count {
                let gi = base + rowIndices[i] * d
                for j in (i + 1) ..< count {
                    let gj = base + rowIndices[j] * d
                    var sum = 0.0
                    for c in 0 ..< d {
                        let difference = Double(gi[c] - gj[c])
                        sum += difference * difference
                    }
                    maximum = max(maximum, sum)
                }
            }
        }
        return maximum
    }

    /// The Gram matrix of the centred honest rows, h × h row-major:
    /// K[i][j] = (g_i − center)·(g_j − center), in ``rowIndices`` order.
    /// - Precondition: `center.count == columnCount`.
    /// - Complexity: O(h²·d): h(h + 1)/2 passes of length d.
    func centeredGram(center: UnsafeBufferPointer<Float>) -> [Double] {
        precondition(center.count == columnCount, "center must have \(columnCount) values")
        let h = count, d = columnCount
        var gram = [Double](repeating: 0, count: h * h)
        guard d > 0 else { return gram }
        let mu = center.baseAddress!
        matrix.withUnsafeStorage { all in
            let base = all.baseAddress!
            for i in 0 ..< h {
                let gi = base + rowIndices[i] * d
                for j in i ..< h {
                    let gj = base + rowIndices[j] * d
                    var sum = 0.0
                    for c in 0 ..< d { sum += Double(gi[c] - mu[c]) * Double(gj[c] - mu[c]) }
                    gram[i * h + j] = sum
                    gram[j * h + i] = sum
                }
            }
        }
        return gram
    }
}
