/// Standardised input, as torchvision's `Normalize(mean, std)` does it for one channel:
/// every feature x becomes (x − μ) / σ, with μ and σ the mean and standard deviation of the
/// *training* split's pixels (after ToTensor's / 255), applied to the training and the test
/// split alike.
///
/// ```swift
/// let s = DatasetName.fashionMNIST.trainingStandardization   // μ = 0.2860, σ = 0.3530
/// s.standardize(0)                                           // −0.8102
/// let train = s.apply(to: rawTrain), test = s.apply(to: rawTest)
/// ```
///
/// The published constants (``DatasetName/trainingStandardization``) are used rather than
/// statistics computed from the files as loaded: every process of a run (the simulation,
/// the networked master's evaluation, each networked worker) then applies the very same
/// transform, bit for bit, whatever copy of the data it read. ``measured(on:)`` computes the
/// statistics from a split; a test checks that it agrees with the constants to 4 digits.
public struct Standardization: Sendable, Hashable, CustomStringConvertible {
    /// μ, subtracted from every feature.
    public let mean: Float
    /// σ, by which every centred feature is divided.
    public let standardDeviation: Float

    /// - Precondition: `mean` finite, `standardDeviation` finite and > 0.
    public init(mean: Float, standardDeviation: Float) {
        precondition(mean.isFinite, "the mean must be finite")
        precondition(standardDeviation.isFinite && standardDeviation > 0, "the standard deviation must be finite and > 0")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// (x − μ) / σ, in this order and in Float, as PyTorch's `sub_(mean).div_(std)`.
    @inlinable
    public func standardize(_ x: Float) -> Float { (x - mean) / standardDeviation }

    /// The dataset with every feature standardised; labels and shape unchanged.
    /// - Complexity: O(count × featureCount), one new feature array.
    public func apply(to dataset: LabeledDataset) -> LabeledDataset {
        var features = dataset.features
        features.withUnsafeMutableBufferPointer { x in
            for i in x.indices { x[i] = standardize(x[i]) }
        }
        return LabeledDataset(features: features, labels: dataset.labels, featureCount: dataset.featureCount,
                              classCount: dataset.classCount, sampleShape: dataset.sampleShape)
    }

    /// The mean and (population) standard deviation of every feature of `dataset`,
    /// accumulated in Double.
    /// - Precondition: the features are not all equal.
    /// - Complexity: O(count × featureCount), two passes.
    public static func measured(on dataset: LabeledDataset) -> Standardization {
        let n = Double(max(1, dataset.features.count))
        var sum = 0.0
        for x in dataset.features { sum += Double(x) }
        let mean = sum / n
        var squares = 0.0
        for x in dataset.features { squares += (Double(x) - mean) * (Double(x) - mean) }
        return Standardization(mean: Float(mean), standardDeviation: Float((squares / n).squareRoot()))
    }

    public var description: String { "(x − \(mean)) / \(standardDeviation)" }
}

extension DatasetName {
    /// The training split's pixel mean and standard deviation (after / 255), as published
    /// with torchvision's recipes: FashionMNIST μ = 0.2860, σ = 0.3530; MNIST μ = 0.1307,
    /// σ = 0.3081.
    public var trainingStandardization: Standardization {
        switch self {
        case .fashionMNIST: Standardization(mean: 0.2860, standardDeviation: 0.3530)
        case .mnist: Standardization(mean: 0.1307, standardDeviation: 0.3081)
        }
    }
}
