import RobustAggregation

/// Naive reference implementations of every rule, written straight from the semantics in
/// the README ("Aggregation semantics") and the rules' DocC, with no blocking, no networks, no Gram trick and no
/// threads. The fast rules are checked against these.
enum Reference {
    struct Output {
        var gradient: [Float]
        var rejected: [Int]
        var selected: [Int]
        var scores: [Double] = []
        var intScores: [Int] = []
        var distances: [Double] = []
        var threshold: Double = 0
        var c1: [Int] = []
        var c2: [Int] = []
    }

    static func rows(_ g: GradientMatrix) -> (accepted: [Int], rejected: [Int]) {
        var a: [Int] = [], r: [Int] = []
        for i in 0 ..< g.rowCount {
            if g.row(i).allSatisfy(\.isFinite) { a.append(i) } else { r.append(i) }
        }
        return (a, r)
    }

    static func column(_ g: GradientMatrix, _ rows: [Int], _ c: Int) -> [Float] {
        rows.map { g[$0, c] }
    }

    static func floatMean(_ g: GradientMatrix, _ rows: [Int]) -> [Float] {
        (0 ..< g.columnCount).map { c in
            var s: Float = 0
            for r in rows { s += g[r, c] }
            return s / Float(rows.count)
        }
    }

    static func median(_ values: [Float]) -> Float {
        let s = values.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : s[n / 2 - 1] * 0.5 + s[n / 2] * 0.5
    }

    static func medianVector(_ g: GradientMatrix, _ rows: [Int]) -> [Float] {
        (0 ..< g.columnCount).map { median(column(g, rows, $0)) }
    }

    static func mean(_ g: GradientMatrix) -> Output {
        let (a, r) = rows(g)
        return Output(gradient: floatMean(g, a), rejected: r, selected: a)
    }

    static func coordinateMedian(_ g: GradientMatrix) -> Output {
        let (a, r) = rows(g)
        return Output(gradient: medianVector(g, a), rejected: r, selected: a)
    }

    static func trimmedMean(_ g: GradientMatrix, f: Int) -> Output {
        let (a, r) = rows(g)
        let fp = max(0, f - r.count)
        let out: [Float] = (0 ..< g.columnCount).map { c in
            let s = column(g, a, c).sorted()
            var sum: Float = 0
            for v in s[fp ..< (s.count - fp)] { sum += v }
            return sum / Float(s.count - 2 * fp)
        }
        return Output(gradient: out, rejected: r, selected: a)
    }

    static func squaredDistance(_ g: GradientMatrix, _ i: Int, _ j: Int) -> Double {
        (0 ..< g.columnCount).reduce(0.0) { acc, c in
            let diff = Double(g[i, c]) - Double(g[j, c])
            return acc + diff * diff
        }
    }

    static func krumScores(_ g: GradientMatrix, _ members: [Int], neighbours: Int,
                           distances: [[Double]]? = nil) -> [Double] {
        let table = distances ?? allSquaredDistances(g)
        return members.map { i in
            let ds = members.filter { $0 != i }.map { table[i][$0] }.sorted()
            return ds.prefix(neighbours).reduce(0, +)
        }
    }

    /// Direct squared distances between every pair of rows (of the whole matrix).
    static func allSquaredDistances(_ g: GradientMatrix) -> [[Double]] {
        let rows = (0 ..< g.rowCount).map { g.row($0).map(Double.init) }
        return rows.map { x in rows.map { y in zip(x, y).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } } }
    }

    static func lowest(_ scores: [Double], _ k: Int) -> [Int] {
        Array(scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(k))
    }

    static func krum(_ g: GradientMatrix, f: Int) -> Output {
        let (a, r) = rows(g)
        let fp = max(0, f - r.count)
        let scores = krumScores(g, a, neighbours: a.count - fp - 2)
        let winner = a[lowest(scores, 1)[0]]
        return Output(gradient: g.row(winner), rejected: r, selected: [winner], scores: scores)
    }

    static func multiKrum(_ g: GradientMatrix, f: Int, q: Int? = nil) -> Output {
        let (a, r) = rows(g)
        let fp = max(0, f - r.count)
        let scores = krumScores(g, a, neighbours: a.count - fp - 2)
        let chosen = lowest(scores, q ?? (a.count - fp)).map { a[$0] }.sorted()
        return Output(gradient: floatMean(g, chosen), rejected: r, selected: chosen, scores: scores)
    }

    static func brsgd(_ g: GradientMatrix, beta: Double, threshold: Double? = nil) -> Output {
        let (a, r) = rows(g)
        let m = a.count
        let mean = floatMean(g, a)
        var scores = [Int](repeating: 0, count: m)
        for c in 0 ..< g.columnCount {
            let marks = a.map { g[$0, c] >= mean[c] ? 1 : 0 }
            let count = marks.reduce(0, +)
            let sign = Double(count) < Double(m) / 2 ? -1 : 1
            for i in 0 ..< m { scores[i] += sign * marks[i] }
        }
        let med = medianVector(g, a)
        let dist = a.map { i in (0 ..< g.columnCount).reduce(0.0) { $0 + abs(Double(g[i, $1]) - Double(med[$1])) } }
        let sortedDist = dist.sorted()
        let t = threshold ?? (m % 2 == 1 ? sortedDist[m / 2] : (sortedDist[m / 2 - 1] + sortedDist[m / 2]) / 2)
        let c1 = (0 ..< m).filter { dist[$0] <= 2 * t }
        // k = ⌈βm⌉ by exact decimal reasoning for the β values the tests use.
        let k = max(1, min(m, Int((beta * Double(m) - 1e-9).rounded(.up))))
        let c2 = Array((0 ..< m).sorted { (-scores[$0], $0) < (-scores[$1], $1) }.prefix(k)).sorted()
        let chosen = c1.filter { c2.contains($0) }.map { a[$0] }
        let gradient = chosen.isEmpty ? med : floatMean(g, chosen)
        return Output(gradient: gradient, rejected: r, selected: chosen, intScores: scores, distances: dist,
                      threshold: t, c1: c1.map { a[$0] }, c2: c2.map { a[$0] })
    }

    static func geometricMedian(_ g: GradientMatrix, nu: Double = 1e-6, iterations: Int = 100,
                                tolerance: Double = 1e-6) -> [Double] {
        let (a, _) = rows(g)
        let d = g.columnCount
        var z = (0 ..< d).map { c in a.reduce(0.0) { $0 + Double(g[$1, c]) } / Double(a.count) }
        var previous = Double.infinity
        for _ in 0 ..< iterations {
            let dist = a.map { i in max(nu, (0 ..< d).reduce(0.0) { acc, c in
                let diff = Double(g[i, c]) - z[c]; return acc + diff * diff }.squareRoot()) }
            let objective = dist.reduce(0, +)
            if abs(previous - objective) <= tolerance * objective { break }
            previous = objective
            let w = dist.map { 1 / $0 }, total = w.reduce(0, +)
            z = (0 ..< d).map { c in zip(a, w).reduce(0.0) { $0 + Double(g[$1.0, c]) * $1.1 } / total }
        }
        return z
    }

    static func centeredClipping(_ g: GradientMatrix, tau: Double, iterations: Int, start: [Double]) -> [Double] {
        let (a, _) = rows(g)
        let d = g.columnCount, m = Double(a.count)
        var v = start
        for _ in 0 ..< iterations {
            var step = [Double](repeating: 0, count: d)
            for i in a {
                let delta = (0 ..< d).map { Double(g[i, $0]) - v[$0] }
                let norm = delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let scale = norm > tau ? tau / norm : 1
                for c in 0 ..< d { step[c] += delta[c] * scale / m }
            }
            for c in 0 ..< d { v[c] += step[c] }
        }
        return v
    }

    static func bulyan(_ g: GradientMatrix, f: Int) -> Output {
        let (a, r) = rows(g)
        let fp = max(0, f - r.count)
        var remaining = a, selected: [Int] = []
        let table = allSquaredDistances(g)
        while selected.count < a.count - 2 * fp {
            let scores = krumScores(g, remaining, neighbours: max(1, remaining.count - fp - 2), distances: table)
            selected.append(remaining.remove(at: lowest(scores, 1)[0]))
        }
        selected.sort()
        let out: [Float] = (0 ..< g.columnCount).map { c in
            let s = column(g, selected, c).sorted()
            var sum: Float = 0
            for v in s[fp ..< (s.count - fp)] { sum += v }
            return sum / Float(s.count - 2 * fp)
        }
        return Output(gradient: out, rejected: r, selected: selected)
    }

    /// The NNM-mixed matrix of the accepted rows.
    static func nearestNeighborMixed(_ g: GradientMatrix, f: Int) -> GradientMatrix {
        let (a, r) = rows(g)
        let k = a.count - max(0, f - r.count)
        let mixed: [[Float]] = a.map { i in
            let nearest = a.sorted { (squaredDistance(g, i, $0), $0) < (squaredDistance(g, i, $1), $1) }
                .prefix(k).sorted()
            return floatMean(g, Array(nearest))
        }
        return GradientMatrix(rows: mixed)
    }
}

// MARK: pre-aggregations and brsgd-robust

extension Reference {
    static func norm(_ x: [Float]) -> Double { x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    /// Row i scaled by min(1, radius / ‖row i‖), in Float, as the README defines clipping.
    static func clipped(_ row: [Float], radius: Double) -> [Float] {
        let n = norm(row)
        guard n > radius else { return row }
        let scale = Float(radius / n)
        return row.map { $0 * scale }
    }

    /// The accepted rows after static clipping to c.
    static func staticClipped(_ g: GradientMatrix, c: Double) -> GradientMatrix {
        GradientMatrix(rows: rows(g).accepted.map { clipped(g.row($0), radius: c) })
    }

    /// The accepted rows after ARC: k = ⌊2f'(m' − f')/m'⌋ (f' ≥ m' counts as m'), the k
    /// largest norms clipped to the (k+1)-th largest.
    static func adaptiveRobustClipped(_ g: GradientMatrix, f: Int) -> GradientMatrix {
        let (a, r) = rows(g)
        let m = a.count, fp = min(m, max(0, f - r.count))
        let k = 2 * fp * (m - fp) / m
        let norms = a.map { norm(g.row($0)) }
        let radius = norms.sorted(by: >)[k]   // the (k+1)-th largest
        return GradientMatrix(rows: a.map { k == 0 ? g.row($0) : clipped(g.row($0), radius: radius) })
    }

    /// SplitMix64 + Fisher–Yates exactly as documented on `Bucketing.permutation`, written
    /// out again from the formulas.
    static func permutation(count: Int, seed: UInt64, round: Int) -> [Int] {
        func mix(_ v: UInt64) -> UInt64 {
            var z = v
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        var state = mix(seed ^ mix(UInt64(bitPattern: Int64(round)) &+ 0x9E3779B97F4A7C15))
        var order = Array(0 ..< count)
        var i = count - 1
        while i >= 1 {
            state = state &+ 0x9E3779B97F4A7C15
            let j = Int(mix(state) % UInt64(i + 1))
            let t = order[i]; order[i] = order[j]; order[j] = t
            i -= 1
        }
        return order
    }

    /// The bucket means (bucket b = shuffled places b·s ..< (b+1)·s, rows summed in
    /// increasing row order in Float) and each bucket's rows.
    static func bucketed(_ g: GradientMatrix, s: Int, seed: UInt64, round: Int) -> (means: GradientMatrix, members: [[Int]]) {
        let a = rows(g).accepted
        let order = permutation(count: a.count, seed: seed, round: round)
        var members: [[Int]] = []
        var start = 0
        while start < a.count {
            members.append(order[start ..< min(start + s, a.count)].map { a[$0] }.sorted())
            start += s
        }
        return (GradientMatrix(rows: members.map { floatMean(g, $0) }), members)
    }

    /// brsgd-robust, straight from its definition (Double where the rule's kernels use Double).
    static func robustBrSGD(_ g: GradientMatrix, beta: Double) -> Output {
        let base = brsgd(g, beta: beta)
        let (a, r) = rows(g)
        let m = a.count, d = g.columnCount
        let s = base.intScores.sorted()
        let twiceMedian = m % 2 == 1 ? 2 * s[m / 2] : s[m / 2 - 1] + s[m / 2]
        let k = max(1, min(m, Int((beta * Double(m) - 1e-9).rounded(.up))))
        let c2 = Array((0 ..< m).sorted {
            (abs(2 * base.intScores[$0] - twiceMedian), $0) < (abs(2 * base.intScores[$1] - twiceMedian), $1)
        }.prefix(k)).sorted()
        let c1 = base.c1
        let chosen = c2.map { a[$0] }.filter { c1.contains($0) }
        let v0: [Float] = chosen.isEmpty ? medianVector(g, a) : floatMean(g, chosen)
        let distances = a.map { i in (0 ..< d).reduce(0.0) { acc, c in
            let x = Double(g[i, c]) - Double(v0[c]); return acc + x * x }.squareRoot() }
        let sorted = distances.sorted()
        let tau = m % 2 == 1 ? sorted[m / 2] : sorted[m / 2 - 1] * 0.5 + sorted[m / 2] * 0.5
        let weights = distances.map { $0 > tau ? tau / $0 : 1 }
        let out: [Float] = (0 ..< d).map { c in
            var v = Double(v0[c])
            for (n, i) in a.enumerated() { v += weights[n] / Double(m) * (Double(g[i, c]) - Double(v0[c])) }
            return Float(v)
        }
        return Output(gradient: out, rejected: r, selected: chosen, scores: weights, intScores: base.intScores,
                      distances: base.distances, threshold: base.threshold, c1: c1, c2: c2.map { a[$0] })
    }
}
