/// A classification dataset in memory: `count` examples of `featureCount` Float features
/// each, stored row-major in one contiguous array, and one `Int32` label per example.
///
/// Images are scaled to [0, 1] (pixel / 255), as torchvision's `ToTensor` does, and
/// flattened row by row; `sampleShape` keeps their (channels, height, width) = (1, 28, 28)
/// for convolutional models.
///
/// ```swift
/// let test = try LabeledDataset.load(.fashionMNIST, split: .test, limit: 1_000)
/// test.count         // 1000
/// test.featureCount  // 784
/// ```
public struct LabeledDataset: Sendable {
    /// The number of examples.
    public let count: Int
    /// Features per example (784 for MNIST-style images).
    public let featureCount: Int
    /// The number of classes; every label lies in `0..<classCount`.
    public let classCount: Int
    /// The shape of one example, e.g. `[1, 28, 28]`; its product is `featureCount`.
    public let sampleShape: [Int]
    /// `count × featureCount` features, row-major: example i is
    /// `features[i * featureCount ..< (i + 1) * featureCount]`.
    public let features: [Float]
    /// One label per example.
    public let labels: [Int32]

    /// Wraps features and labels.
    /// - Precondition: `features.count == labels.count * featureCount`, every label lies in
    ///   `0..<classCount`, and `sampleShape` (default `[featureCount]`) multiplies to
    ///   `featureCount`.
    /// - Complexity: O(count) to check the labels.
    public init(
        features: [Float], labels: [Int32], featureCount: Int, classCount: Int,
        sampleShape: [Int]? = nil
    ) {
        precondition(featureCount > 0, "featureCount must be positive")
        precondition(classCount > 0, "classCount must be positive")
        precondition(
            features.count == labels.count * featureCount,
            "features.count (\(features.count)) must equal labels.count (\(labels.count)) × featureCount (\(featureCount))")
        precondition(
            labels.allSatisfy { $0 >= 0 && Int($0) < classCount }, "every label must lie in 0..<classCount")
        let shape = sampleShape ?? [featureCount]
        precondition(shape.reduce(1, *) == featureCount, "sampleShape must multiply to featureCount")
        self.count = labels.count
        self.featureCount = featureCount
        self.classCount = classCount
        self.sampleShape = shape
        self.features = features
        self.labels = labels
    }

    /// The features of example `index`.
    /// - Complexity: O(1) (a slice, no copy).
    public func features(of index: Int) -> ArraySlice<Float> {
        features[(index * featureCount)..<((index + 1) * featureCount)]
    }
}
