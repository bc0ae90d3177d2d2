/// A map of class labels y → mapping[y]: the data poisoning a label-flipping worker
/// applies to its batch before it computes an otherwise honest gradient.
///
/// ```swift
/// let flip = LabelTransform.reversal(classCount: 10)   // y → 9 − y
/// flip(Int32(1))                                       // 8
/// flip.apply(to: &batchLabels)
/// ```
public struct LabelTransform: Sendable, Hashable {
    /// `mapping[y]` is the label that replaces y.
    public let mapping: [Int32]

    /// The number of classes, `mapping.count`.
    public var classCount: Int { mapping.count }

    /// A transform from an explicit table.
    /// - Precondition: every entry lies in `0..<mapping.count`.
    public init(mapping: [Int32]) {
        precondition(mapping.allSatisfy { $0 >= 0 && Int($0) < mapping.count },
                     "every mapped label must lie in 0..<\(mapping.count)")
        self.mapping = mapping
    }

    /// y → (classCount − 1) − y: the BrSGD paper's "label shift" (9 − y for 10 classes).
    /// - Precondition: `classCount >= 1`.
    public static func reversal(classCount: Int) -> LabelTransform {
        precondition(classCount >= 1, "classCount must be at least 1")
        return LabelTransform(mapping: (0..<classCount).map { Int32(classCount - 1 - $0) })
    }

    /// The label that replaces `label`.
    /// - Precondition: `0 <= label < classCount`.
    public func callAsFunction(_ label: Int32) -> Int32 {
        precondition(label >= 0 && Int(label) < mapping.count,
                     "label \(label) out of range 0..<\(mapping.count)")
        return mapping[Int(label)]
    }

    /// Replaces every label in place.
    /// - Precondition: every label lies in `0..<classCount`.
    /// - Complexity: O(n).
    public func apply(to labels: UnsafeMutableBufferPointer<Int32>) {
        for i in labels.indices { labels[i] = self(labels[i]) }
    }

    /// Replaces every label in place.
    /// - Complexity: O(n).
    public func apply(to labels: inout [Int32]) {
        labels.withUnsafeMutableBufferPointer { apply(to: $0) }
    }
}
