import SeededRandom

/// Synthetic least-squares data with a known optimum, for the strongly convex setting of
/// the BrSGD paper's Theorem 1 (Li et al., "Efficient Byzantine-Resilient SGD").
///
/// Model: y = x · w* + ε with x ~ N(0, I_d) and ε ~ N(0, σ²). The population loss
/// F(w) = ½ E[(x · w − y)²] = ½‖w − w*‖² + ½σ² is 1-strongly convex with minimiser w*,
/// so the distance ‖w_t − w*‖ of a trained model measures convergence directly. (A finite
/// sample's own least-squares solution differs from w* by O(σ √(d / n)).)
///
/// Seeding: w* ~ N(0, I_d) comes from `SeededGenerator(seed: seed, stream: 0)`; worker i's
/// samples from `SeededGenerator(seed: seed, stream: i + 1)`, so each worker's data is
/// independent of how many workers there are, and the first k of n samples do not
/// depend on n.
///
/// ```swift
/// let problem = LinearRegressionProblem(dimension: 100, noise: 0.1, seed: 7)
/// let (x, y) = problem.samples(worker: 3, count: 1_000)   // x: 1000 × 100 row-major
/// let distance = zip(w, problem.optimum).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
/// ```
public struct LinearRegressionProblem: Sendable {
    /// d, the number of features.
    public let dimension: Int
    /// σ, the standard deviation of the target noise.
    public let noise: Double
    /// The seed that fixes w* and every worker's data.
    public let seed: UInt64
    /// w*, the minimiser of the population loss (length `dimension`).
    public let optimum: [Float]

    /// - Precondition: `dimension > 0`, `noise >= 0`.
    /// - Complexity: O(dimension).
    public init(dimension: Int, noise: Double, seed: UInt64) {
        precondition(dimension > 0, "dimension must be positive")
        precondition(noise >= 0, "noise must not be negative")
        self.dimension = dimension
        self.noise = noise
        self.seed = seed
        var generator = SeededGenerator(seed: seed, stream: 0)
        optimum = (0..<dimension).map { _ in Float(generator.nextNormal()) }
    }

    /// The population loss at its minimum, ½σ².
    public var optimalLoss: Double { 0.5 * noise * noise }

    /// `count` samples of worker `worker`: features (`count × dimension`, row-major) and
    /// targets (`count`). Per sample, the d features are drawn, then the noise.
    /// - Precondition: `worker >= 0`, `count >= 0`.
    /// - Complexity: O(count × dimension).
    public func samples(worker: Int, count: Int) -> (features: [Float], targets: [Float]) {
        precondition(worker >= 0, "worker must not be negative")
        precondition(count >= 0, "count must not be negative")
        var generator = SeededGenerator(seed: seed, stream: UInt64(worker) + 1)
        var features = [Float](repeating: 0, count: count * dimension)
        var targets = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var dot = 0.0
            for j in 0..<dimension {
                let x = generator.nextNormal()
                features[i * dimension + j] = Float(x)
                dot += Double(Float(x)) * Double(optimum[j])
            }
            targets[i] = Float(dot + noise * generator.nextNormal())
        }
        return (features, targets)
    }
}
