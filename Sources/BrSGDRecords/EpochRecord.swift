/// What one epoch of a run measured.
public struct EpochRecord: Codable, Sendable, Equatable, Hashable {
    /// Epoch number, 1 for the first pass over the training data.
    public var epoch: Int
    /// Test accuracy as a fraction in [0, 1] (not percent).
    public var testAccuracy: Double
    /// Mean test cross-entropy.
    public var testLoss: Double
    /// Mean training loss over the epoch's honest mini-batches.
    public var trainLoss: Double
    /// Wall-clock seconds the epoch took, evaluation included.
    public var seconds: Double
    /// Aggregation rounds (parallel SGD steps) in the epoch.
    public var rounds: Int

    /// Creates an epoch record.
    public init(epoch: Int, testAccuracy: Double, testLoss: Double, trainLoss: Double, seconds: Double, rounds: Int) {
        self.epoch = epoch
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.trainLoss = trainLoss
        self.seconds = seconds
        self.rounds = rounds
    }

    enum CodingKeys: String, CodingKey {
        case epoch
        case testAccuracy = "test_accuracy"
        case testLoss = "test_loss"
        case trainLoss = "train_loss"
        case seconds
        case rounds
    }
}
