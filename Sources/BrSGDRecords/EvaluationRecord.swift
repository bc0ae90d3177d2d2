/// One test evaluation made during training, between rounds (``Experiment/evaluateEvery``).
public struct EvaluationRecord: Codable, Sendable, Equatable, Hashable {
    /// Rounds completed when the model was evaluated (0: the initial model).
    public var round: Int
    /// Test accuracy as a fraction in [0, 1].
    public var testAccuracy: Double
    /// Mean test cross-entropy.
    public var testLoss: Double

    public init(round: Int, testAccuracy: Double, testLoss: Double) {
        self.round = round
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
    }

    enum CodingKeys: String, CodingKey {
        case round
        case testAccuracy = "test_accuracy"
        case testLoss = "test_loss"
    }
}
