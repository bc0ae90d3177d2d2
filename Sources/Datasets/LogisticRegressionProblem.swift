import SeededRandom

/// Synthetic multinomial logistic-regression data, for fast tests of classifiers and of
/// the whole training loop without the image datasets.
///
/// Model: a weight matrix W* (classCount × featureCount) with N(0, 1) entries; x ~ N(0, I);
/// the label is drawn from softmax(s · W* x / √featureCount), where s is `separation`.
/// Large s makes the classes nearly separable (label ≈ argmax W* x); s → 0 makes them
/// pure noise. The Bayes-optimal classifier is argmax W* x.
///
/// Seeding as for `LinearRegressionProblem`: W* from stream 0 of `seed`, worker i's
/// examples from stream i + 1.
public struct LogisticRegressionProblem: Sendable {
    /// Features per example.
    public let featureCount: Int
    /// The number of classes.
    public let classCount: Int
    /// s, the logit scale: larger is easier.
    public let separation: Double
    /// The seed that fixes W* and every worker's data.
    public let seed: UInt64
    /// W*, `classCount × featureCount`, row-major.
    public let weights: [Float]

    /// - Precondition: `featureCount > 0`, `classCount >= 2`, `separation >= 0`.
    /// - Complexity: O(classCount × featureCount).
    public init(featureCount: Int, classCount: Int, separation: Double = 5, seed: UInt64) {
        precondition(featureCount > 0, "featureCount must be positive")
        precondition(classCount >= 2, "classCount must be at least 2")
        precondition(separation >= 0, "separation must not be negative")
        self.featureCount = featureCount
        self.classCount = classCount
        self.separation = separation
        self.seed = seed
        var generator = SeededGenerator(seed: seed, stream: 0)
        weights = (0..<(classCount * featureCount)).map { _ in Float(generator.nextNormal()) }
    }

    /// `count` labelled examples of worker `worker`. Per example: the features, then one
    /// uniform draw to sample the label.
    /// - Precondition: `worker >= 0`, `count >= 0`.
    /// - Complexity: O(count × classCount × featureCount).
    public func dataset(worker: Int, count: Int) -> LabeledDataset {
        precondition(worker >= 0, "worker must not be negative")
        precondition(count >= 0, "count must not be negative")
        var generator = SeededGenerator(seed: seed, stream: UInt64(worker) + 1)
        var features = [Float](repeating: 0, count: count * featureCount)
        var labels = [Int32](repeating: 0, count: count)
        var logits = [Double](repeating: 0, count: classCount)
        let scale = separation / Double(featureCount).squareRoot()
        for i in 0..<count {
            for j in 0..<featureCount { features[i * featureCount + j] = Float(generator.nextNormal()) }
            for c in 0..<classCount {
                var dot = 0.0
                for j in 0..<featureCount {
                    dot += Double(weights[c * featureCount + j]) * Double(features[i * featureCount + j])
                }
                logits[c] = scale * dot
            }
            labels[i] = Int32(sampleSoftmax(logits, u: generator.nextUnitDouble()))
        }
        return LabeledDataset(
            features: features, labels: labels, featureCount: featureCount, classCount: classCount)
    }

    /// The Bayes-optimal label of one example: argmax_c (W* x)_c (lowest class on ties).
    /// - Precondition: `features.count == featureCount`.
    public func bestLabel<C: Collection>(for features: C) -> Int where C.Element == Float {
        precondition(features.count == featureCount, "features.count must equal featureCount")
        var best = 0, bestScore = -Double.infinity
        for c in 0..<classCount {
            var dot = 0.0
            for (j, x) in features.enumerated() { dot += Double(weights[c * featureCount + j]) * Double(x) }
            if dot > bestScore { best = c; bestScore = dot }
        }
        return best
    }

    /// Inverse-CDF draw from softmax(logits) with the uniform `u` in [0, 1).
    private func sampleSoftmax(_ logits: [Double], u: Double) -> Int {
        let top = logits.max() ?? 0
        var total = 0.0
        for z in logits { total += _exp(z - top) }
        var cumulative = 0.0
        let target = u * total
        for (c, z) in logits.enumerated() {
            cumulative += _exp(z - top)
            if target < cumulative { return c }
        }
        return logits.count - 1
    }
}
