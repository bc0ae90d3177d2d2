extension LabeledDataset {
    /// Copies the examples at `indices`, in order, into caller-owned buffers: example
    /// `indices[k]` goes to rows `k` of `features` (row-major, `featureCount` wide) and
    /// to `labels[k]`. Nothing is allocated, so a worker can gather each mini-batch into
    /// the input buffer it preallocated once.
    ///
    /// - Precondition: every index lies in `0..<count`;
    ///   `features.count >= indices.count * featureCount`; `labels.count >= indices.count`.
    /// - Complexity: O(indices.count × featureCount).
    public func gather(
        indices: ArraySlice<Int>,
        features destination: UnsafeMutableBufferPointer<Float>,
        labels labelDestination: UnsafeMutableBufferPointer<Int32>
    ) {
        let width = featureCount
        precondition(destination.count >= indices.count * width, "features buffer too small for the batch")
        precondition(labelDestination.count >= indices.count, "labels buffer too small for the batch")
        guard let out = destination.baseAddress else { return }
        features.withUnsafeBufferPointer { source in
            guard let src = source.baseAddress else { return }
            for (row, index) in indices.enumerated() {
                precondition(index >= 0 && index < count, "index \(index) out of range 0..<\(count)")
                (out + row * width).update(from: src + index * width, count: width)
                labelDestination[row] = labels[index]
            }
        }
    }

    /// A new dataset of the examples at `indices`, in order (for evaluation on a subset,
    /// or a worker's own shard). Allocates; not for a per-batch hot path (use `gather`).
    /// - Precondition: every index lies in `0..<count`.
    /// - Complexity: O(indices.count × featureCount).
    public func subset<C: Collection>(_ indices: C) -> LabeledDataset where C.Element == Int {
        var newFeatures = [Float](repeating: 0, count: indices.count * featureCount)
        var newLabels = [Int32](repeating: 0, count: indices.count)
        let slice = ArraySlice(indices)
        newFeatures.withUnsafeMutableBufferPointer { f in
            newLabels.withUnsafeMutableBufferPointer { l in
                gather(indices: slice, features: f, labels: l)
            }
        }
        return LabeledDataset(
            features: newFeatures, labels: newLabels, featureCount: featureCount,
            classCount: classCount, sampleShape: sampleShape)
    }
}
