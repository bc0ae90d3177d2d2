import Testing
@testable import Datasets

@Suite struct SyntheticProblemTests {
    /// Solves the normal equations (XᵀX) w = Xᵀy in Double by Gaussian elimination with
    /// partial pivoting: the least-squares fit, computed independently of the generator.
    func leastSquares(features: [Float], targets: [Float], dimension d: Int) -> [Double] {
        var a = [Double](repeating: 0, count: d * (d + 1))  // augmented d × (d + 1)
        for i in 0..<targets.count {
            for r in 0..<d {
                let xr = Double(features[i * d + r])
                for c in 0..<d { a[r * (d + 1) + c] += xr * Double(features[i * d + c]) }
                a[r * (d + 1) + d] += xr * Double(targets[i])
            }
        }
        for col in 0..<d {
            let pivot = (col..<d).max { abs(a[$0 * (d + 1) + col]) < abs(a[$1 * (d + 1) + col]) }!
            for c in 0...d { a.swapAt(col * (d + 1) + c, pivot * (d + 1) + c) }
            for r in 0..<d where r != col {
                let f = a[r * (d + 1) + col] / a[col * (d + 1) + col]
                for c in col...d { a[r * (d + 1) + c] -= f * a[col * (d + 1) + c] }
            }
        }
        return (0..<d).map { a[$0 * (d + 1) + d] / a[$0 * (d + 1) + $0] }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func leastSquaresRecoversTheOptimum(seed: UInt64) {
        let problem = LinearRegressionProblem(dimension: 6, noise: 0.5, seed: seed)
        let (x, y) = problem.samples(worker: 2, count: 20_000)
        #expect(x.count == 20_000 * 6 && y.count == 20_000)
        let w = leastSquares(features: x, targets: y, dimension: 6)
        // Standard error ≈ σ / √n ≈ 0.0035 per coordinate; allow ~6 of them.
        for (estimate, truth) in zip(w, problem.optimum) { #expect(abs(estimate - Double(truth)) < 0.02) }
        // And the residual variance is σ².
        var sse = 0.0
        for i in 0..<y.count {
            var fit = 0.0
            for j in 0..<6 { fit += w[j] * Double(x[i * 6 + j]) }
            sse += (Double(y[i]) - fit) * (Double(y[i]) - fit)
        }
        #expect(abs(sse / Double(y.count) - 0.25) < 0.02)
        #expect(problem.optimalLoss == 0.125)
    }

    @Test func workersHaveTheirOwnReproducibleStreams() {
        let problem = LinearRegressionProblem(dimension: 4, noise: 0.1, seed: 7)
        let a = problem.samples(worker: 0, count: 50), b = problem.samples(worker: 1, count: 50)
        #expect(a.features != b.features)
        let again = LinearRegressionProblem(dimension: 4, noise: 0.1, seed: 7).samples(worker: 1, count: 50)
        #expect(again.features == b.features && again.targets == b.targets)
        // A prefix does not depend on how many samples are drawn.
        let short = problem.samples(worker: 1, count: 10)
        #expect(short.features == Array(b.features.prefix(40)) && short.targets == Array(b.targets.prefix(10)))
        #expect(LinearRegressionProblem(dimension: 4, noise: 0.1, seed: 8).optimum != problem.optimum)
    }

    @Test func noiselessTargetsAreExactlyLinear() {
        let problem = LinearRegressionProblem(dimension: 3, noise: 0, seed: 1)
        let (x, y) = problem.samples(worker: 0, count: 20)
        for i in 0..<20 {
            let fit = (0..<3).reduce(0.0) { $0 + Double(x[i * 3 + $1]) * Double(problem.optimum[$1]) }
            #expect(abs(Double(y[i]) - fit) < 1e-5)
        }
    }

    @Test func logisticDataIsLearnableAndSeeded() {
        let problem = LogisticRegressionProblem(featureCount: 8, classCount: 4, separation: 10, seed: 3)
        let data = problem.dataset(worker: 0, count: 2_000)
        #expect(data.count == 2_000 && data.featureCount == 8 && data.classCount == 4)
        #expect(data.labels.allSatisfy { (0..<4).contains($0) })
        // Every class occurs, and the Bayes classifier argmax W*x is mostly right.
        #expect(Set(data.labels).count == 4)
        let correct = (0..<data.count).filter { problem.bestLabel(for: data.features(of: $0)) == Int(data.labels[$0]) }.count
        #expect(Double(correct) / Double(data.count) > 0.8)
        // With no separation the labels are noise: about 1/4 agree.
        let noisy = LogisticRegressionProblem(featureCount: 8, classCount: 4, separation: 0, seed: 3)
        let noise = noisy.dataset(worker: 0, count: 2_000)
        let agree = (0..<noise.count).filter { noisy.bestLabel(for: noise.features(of: $0)) == Int(noise.labels[$0]) }.count
        #expect(Double(agree) / Double(noise.count) < 0.35)
        // Seeded per worker.
        #expect(problem.dataset(worker: 1, count: 10).features != problem.dataset(worker: 0, count: 10).features)
        #expect(problem.dataset(worker: 1, count: 10).labels
            == LogisticRegressionProblem(featureCount: 8, classCount: 4, separation: 10, seed: 3).dataset(worker: 1, count: 10).labels)
    }
}
