import Foundation
import RobustAggregation

// The brsgd-robust experiment (run.sh): honest LeNet-5 gradients (from make_gradients.py) plus crafted Byzantine
// rows; every candidate rule's ‖output − honest mean‖ / ‖honest mean‖.

struct Matrix {
    var m: Int, d: Int, v: [Float]
    func row(_ i: Int) -> ArraySlice<Float> { v[i * d ..< (i + 1) * d] }
}

func load(_ path: String, m: Int, d: Int) -> Matrix {
    let data = FileManager.default.contents(atPath: path)!
    var v = [Float](repeating: 0, count: m * d)
    _ = v.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    return Matrix(m: m, d: d, v: v)
}

func norm(_ x: [Float]) -> Double { sqrt(x.reduce(0.0) { $0 + Double($1) * Double($1) }) }
func sub(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map { $0 - $1 } }

// MARK: prototypes of the brsgd-robust candidates (naive, column by column)

struct Proto: AggregationRule {
    enum Selection: String { case top, typical }
    var selection: Selection
    var beta = 0.5
    /// Clip pass after the selection: nil none; else τ = quantile of the distances to v0.
    var clipQuantile: Double? = nil
    /// Restrict the clip pass to the rows of C1.
    var clipOverC1 = false
    var label: String
    var name: String { label }

    func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult {
        let m = rows.count, d = rows.columnCount
        var G = [Float](repeating: 0, count: m * d)
        for (p, r) in rows.rowIndices.enumerated() { for c in 0 ..< d { G[p * d + c] = rows.matrix[r, c] } }
        var scores = [Int](repeating: 0, count: m)
        var med = [Float](repeating: 0, count: d)
        var dist = [Double](repeating: 0, count: m)
        var col = [Float](repeating: 0, count: m)
        for c in 0 ..< d {
            var s: Float = 0
            for i in 0 ..< m { col[i] = G[i * d + c]; s += col[i] }
            let a = s / Float(m)
            var count = 0
            for i in 0 ..< m where col[i] >= a { count += 1 }
            let sign = 2 * count < m ? -1 : 1
            for i in 0 ..< m where col[i] >= a { scores[i] += sign }
            col.sort()
            med[c] = m % 2 == 1 ? col[m / 2] : col[m / 2 - 1] * 0.5 + col[m / 2] * 0.5
            for i in 0 ..< m { dist[i] += Double(abs(G[i * d + c] - med[c])) }
        }
        let sd = dist.sorted()
        let t = m % 2 == 1 ? sd[m / 2] : (sd[m / 2 - 1] + sd[m / 2]) / 2
        let c1 = (0 ..< m).filter { dist[$0] <= 2 * t }
        let k = BrSGD.selectionCount(fraction: beta, rowCount: m)
        let c2: [Int]
        switch selection {
        case .top: c2 = Array((0 ..< m).sorted { (-scores[$0], $0) < (-scores[$1], $1) }.prefix(k))
        case .typical:
            let ss = scores.sorted()
            let medScore = m % 2 == 1 ? Double(ss[m / 2]) : Double(ss[m / 2 - 1] + ss[m / 2]) / 2
            c2 = Array((0 ..< m).sorted { (abs(Double(scores[$0]) - medScore), $0) < (abs(Double(scores[$1]) - medScore), $1) }.prefix(k))
        }
        let chosen = c1.filter { c2.contains($0) }
        var v = med
        if !chosen.isEmpty {
            v = [Float](repeating: 0, count: d)
            for i in chosen { for c in 0 ..< d { v[c] += G[i * d + c] } }
            for c in 0 ..< d { v[c] /= Float(chosen.count) }
        }
        if let q = clipQuantile {
            let members = clipOverC1 ? c1 : Array(0 ..< m)
            let dists = members.map { i -> Double in
                var s = 0.0
                for c in 0 ..< d { let x = Double(G[i * d + c] - v[c]); s += x * x }
                return s.squareRoot()
            }
            let sorted = dists.sorted()
            let tau = sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]
            var step = [Double](repeating: 0, count: d)
            for (n, i) in members.enumerated() {
                let w = dists[n] > tau ? tau / dists[n] : 1
                for c in 0 ..< d { step[c] += w * Double(G[i * d + c] - v[c]) }
            }
            for c in 0 ..< d { v[c] += Float(step[c] / Double(members.count)) }
        }
        return AggregationResult(gradient: v, diagnostics: AggregationDiagnostics(
            rule: name, rejectedRows: rows.rejectedRows, acceptedRows: rows.labels,
            selectedRows: chosen.map { rows.labels[$0] }))
    }
}

// MARK: attacks (omniscient: they see the honest rows)

func honestStats(_ H: Matrix) -> (mean: [Float], std: [Float]) {
    var mu = [Double](repeating: 0, count: H.d), sq = [Double](repeating: 0, count: H.d)
    for i in 0 ..< H.m { for c in 0 ..< H.d { mu[c] += Double(H.v[i * H.d + c]) } }
    for c in 0 ..< H.d { mu[c] /= Double(H.m) }
    for i in 0 ..< H.m { for c in 0 ..< H.d { let x = Double(H.v[i * H.d + c]) - mu[c]; sq[c] += x * x } }
    return (mu.map { Float($0) }, sq.map { Float(($0 / Double(H.m - 1)).squareRoot()) })
}

/// Shejwalkar & Houmansadr's AGR-agnostic attacks: g = μ + γ·p, the largest γ (binary search
/// from γ = 10, as in their code) such that min-max: max_i ‖g − h_i‖ ≤ max_ij ‖h_i − h_j‖;
/// min-sum: Σ_i ‖g − h_i‖² ≤ max_i Σ_j ‖h_i − h_j‖².
func minMaxSum(_ H: Matrix, mean: [Float], direction p: [Float], sum: Bool) -> [Float] {
    let rows = (0 ..< H.m).map { Array(H.row($0)) }
    var pair = [[Double]](repeating: [Double](repeating: 0, count: H.m), count: H.m)
    for i in 0 ..< H.m { for j in 0 ..< H.m where j > i { let x = norm(sub(rows[i], rows[j])); pair[i][j] = x; pair[j][i] = x } }
    let bound = sum ? pair.map { $0.reduce(0) { $0 + $1 * $1 } }.max()! : pair.map { $0.max()! }.max()!
    func ok(_ g: Double) -> Bool {
        let x = zip(mean, p).map { $0 + Float(g) * $1 }
        let ds = rows.map { norm(sub(x, $0)) }
        return sum ? ds.reduce(0) { $0 + $1 * $1 } <= bound : ds.max()! <= bound
    }
    var gamma = 10.0, step = 5.0, best = 0.0
    for _ in 0 ..< 40 {
        if ok(gamma) { best = gamma; gamma += step } else { gamma -= step }
        step /= 2
    }
    return zip(mean, p).map { $0 + Float(best) * $1 }
}

struct Attack { var name: String; var rows: (Matrix, Int) -> [[Float]] }

func identical(_ x: [Float], _ b: Int) -> [[Float]] { Array(repeating: x, count: b) }

func attacks(gaussianSeed: UInt64) -> [Attack] {
    var list: [Attack] = []
    list.append(Attack(name: "alie z=1") { H, b in let s = honestStats(H); return identical(zip(s.mean, s.std).map { $0 - $1 }, b) })
    list.append(Attack(name: "ipm e=0.1") { H, b in identical(honestStats(H).mean.map { -0.1 * $0 }, b) })
    list.append(Attack(name: "min-max std") { H, b in
        let s = honestStats(H); let sn = Float(norm(s.std))
        return identical(minMaxSum(H, mean: s.mean, direction: s.std.map { -$0 / sn }, sum: false), b) })
    list.append(Attack(name: "min-sum std") { H, b in
        let s = honestStats(H); let sn = Float(norm(s.std))
        return identical(minMaxSum(H, mean: s.mean, direction: s.std.map { -$0 / sn }, sum: true), b) })
    list.append(Attack(name: "min-max unit") { H, b in
        let s = honestStats(H); let mn = Float(norm(s.mean))
        return identical(minMaxSum(H, mean: s.mean, direction: s.mean.map { -$0 / mn }, sum: false), b) })
    list.append(Attack(name: "gaussian 200") { H, b in
        var state = gaussianSeed
        func u() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        return (0 ..< b).map { _ in (0 ..< H.d).map { _ in Float(200 * (-2 * log(max(u(), 1e-300))).squareRoot() * cos(2 * .pi * u())) } } })
    list.append(Attack(name: "sign-flip") { H, b in (0 ..< b).map { i in H.row(i % H.m).map { -$0 } } })
    list.append(Attack(name: "model-neg") { H, b in
        let s = honestStats(H); return identical(s.mean.map { -$0 * Float(H.m) * 1e10 }, b) })
    list.append(Attack(name: "grad-scale") { H, b in (0 ..< b).map { i in H.row(i % H.m).map { $0 * 1e10 } } })
    list.append(Attack(name: "mimic") { H, b in identical(Array(H.row(0)), b) })
    // ALIE's shifted centre, each Byzantine row with its own honest-sized noise: the rows look
    // like a second honest population shifted by σ (no duplicates, typical scores).
    list.append(Attack(name: "alie z=1 +noise") { H, b in
        let s = honestStats(H)
        var state = gaussianSeed &+ 17
        func u() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        return (0 ..< b).map { _ in (0 ..< H.d).map { c in
            s.mean[c] - s.std[c] + s.std[c] * Float((-2 * log(max(u(), 1e-300))).squareRoot() * cos(2 * .pi * u())) } } })
    return list
}

/// The line-searched attacks (ByzFL's Optimal ALIE / IPM, here a fixed grid): the factor
/// that maximises ‖rule output − honest mean‖, per rule.
let alieGrid: [Float] = [-10, -5, -3, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 3, 5, 10, 20]
let ipmGrid: [Float] = [0.1, 0.5, 1, 2, 4, 8, 16, 32, 64]

func matrix(_ H: Matrix, _ byz: [[Float]]) -> GradientMatrix {
    // Byzantine rows first: ties broken by the lowest index then go their way (worst case).
    var storage: [Float] = []
    storage.reserveCapacity((H.m + byz.count) * H.d)
    for r in byz { storage += r }
    storage += H.v
    return GradientMatrix(rowCount: H.m + byz.count, columnCount: H.d, storage: storage)
}

func error(_ rule: any AggregationRule, _ g: GradientMatrix, _ mu: [Float], _ muNorm: Double) -> Double {
    guard let out = try? rule.aggregate(g, round: 1) else { return .nan }
    return norm(sub(out.gradient, mu)) / muNorm
}

@main struct Experiment {
    static func main() {
        let args = CommandLine.arguments
        if args[1] == "bench" { bench(Int(args[2])!); return }
        let path = args[1]
        let d = 61706, total = 20
        let all = load(path, m: total, d: d)
        let onlyRules = args.count > 3 ? Set(args[3].split(separator: ",").map(String.init)) : nil
        for b in args[2].split(separator: ",").compactMap({ Int($0) }) {
            let h = total - b
            let H = Matrix(m: h, d: d, v: Array(all.v[0 ..< h * d]))
            let s = honestStats(H)
            let muNorm = norm(s.mean)
            let spread = (0 ..< h).map { norm(sub(Array(H.row($0)), s.mean)) / muNorm }.sorted()
            print("# \(path) b=\(b) h=\(h) ‖μ_h‖=\(String(format: "%.4g", muNorm)) honest spread (median ‖h_i − μ_h‖/‖μ_h‖) = \(String(format: "%.2f", spread[h / 2]))")
            var rules: [(String, any AggregationRule)] = [
                ("mean", Mean()), ("median", CoordinateWiseMedian()), ("trimmed-mean", TrimmedMean(byzantineCount: b)),
                ("cc tau=10", CenteredClipping(radius: 10, iterations: 3)),
                ("cc tau=1", CenteredClipping(radius: 1, iterations: 3)),
                ("brsgd", BrSGD()), ("brsgd b=1", BrSGD(selectionFraction: 1)),
                ("arc+brsgd", AdaptiveRobustClipping(byzantineCount: b, wrapping: BrSGD())),
                ("nnm+brsgd", NearestNeighborMixing(byzantineCount: b, wrapping: BrSGD())),
                ("bkt2+brsgd", Bucketing(bucketSize: 2, seed: 1, wrapping: BrSGD())),
                ("brsgd-robust", RobustBrSGD()),
                ("arc+brsgd-robust", AdaptiveRobustClipping(byzantineCount: b, wrapping: RobustBrSGD())),
                ("bkt2+brsgd-robust", Bucketing(bucketSize: 2, seed: 1, wrapping: RobustBrSGD())),
                ("typ", Proto(selection: .typical, label: "typ")),
                ("typ+cc50", Proto(selection: .typical, clipQuantile: 0.5, label: "typ+cc50")),
                ("typ+cc50/C1", Proto(selection: .typical, clipQuantile: 0.5, clipOverC1: true, label: "typ+cc50/C1")),
                ("typ+cc100/C1", Proto(selection: .typical, clipQuantile: 1, clipOverC1: true, label: "typ+cc100/C1")),
                ("typ+cc75", Proto(selection: .typical, clipQuantile: 0.75, label: "typ+cc75")),
                ("typ+cc25", Proto(selection: .typical, clipQuantile: 0.25, label: "typ+cc25")),
                ("top+cc50", Proto(selection: .top, clipQuantile: 0.5, label: "top+cc50")),
                ("arc+typ", AdaptiveRobustClipping(byzantineCount: b, wrapping: Proto(selection: .typical, label: "typ"))),
            ]
            if let onlyRules { rules = rules.filter { onlyRules.contains($0.0) } }
            let list = attacks(gaussianSeed: UInt64(b))
            var header = "| rule |"
            for a in list { header += " \(a.name) |" }
            header += " alie-opt | ipm-opt | worst |"
            print(header)
            print("|---|" + String(repeating: "---|", count: list.count + 3))
            let matrices = list.map { matrix(H, $0.rows(H, b)) }
            let alieMatrices = alieGrid.map { z in matrix(H, identical(zip(s.mean, s.std).map { $0 - z * $1 }, b)) }
            let ipmMatrices = ipmGrid.map { e in matrix(H, identical(s.mean.map { -e * $0 }, b)) }
            for (label, rule) in rules {
                var line = "| \(label) |"
                var worst = 0.0
                for g in matrices {
                    let e = error(rule, g, s.mean, muNorm); worst = max(worst, e.isNaN ? .infinity : e)
                    line += String(format: " %.2f |", e)
                }
                var alieWorst = 0.0, alieArg: Float = 0
                for (z, g) in zip(alieGrid, alieMatrices) { let e = error(rule, g, s.mean, muNorm); if e > alieWorst { alieWorst = e; alieArg = z } }
                var ipmWorst = 0.0, ipmArg: Float = 0
                for (z, g) in zip(ipmGrid, ipmMatrices) { let e = error(rule, g, s.mean, muNorm); if e > ipmWorst { ipmWorst = e; ipmArg = z } }
                worst = max(worst, alieWorst, ipmWorst)
                line += String(format: " %.2f (z=%g) | %.2f (e=%g) | %.2f |", alieWorst, alieArg, ipmWorst, ipmArg, worst)
                print(line)
                fflush(nil)
            }
        }
    }
}

/// Cost per aggregation at m = 20: the median of `repeats` timed calls (release build).
func bench(_ d: Int) {
    var state: UInt64 = 1
    var g = GradientMatrix(rowCount: 20, columnCount: d)
    g.withUnsafeMutableStorage { s in
        for i in 0 ..< s.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            s[i] = Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }
    let rules: [(String, any AggregationRule)] = [
        ("mean", Mean()), ("median", CoordinateWiseMedian()), ("trimmed-mean f=9", TrimmedMean(byzantineCount: 9)),
        ("centered-clipping L=3", CenteredClipping()), ("brsgd", BrSGD()), ("brsgd-robust", RobustBrSGD()),
        ("clipping(c=1)+mean", StaticClipping(threshold: 1, wrapping: Mean())),
        ("arc(f=9)+mean", AdaptiveRobustClipping(byzantineCount: 9, wrapping: Mean())),
        ("bucketing(s=2)+mean", Bucketing(bucketSize: 2, wrapping: Mean())),
        ("arc(f=9)+brsgd-robust", AdaptiveRobustClipping(byzantineCount: 9, wrapping: RobustBrSGD())),
    ]
    let repeats = d >= 1_000_000 ? 9 : 31
    print("| rule (m = 20, d = \(d)) | ms per aggregation (median of \(repeats)) |")
    print("|---|---|")
    for (label, rule) in rules {
        _ = try? rule.aggregate(g, round: 1)
        var times: [Double] = []
        for r in 0 ..< repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try? rule.aggregate(g, round: r)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        print(String(format: "| %@ | %.2f |", label, times.sorted()[repeats / 2]))
        fflush(nil)
    }
}
