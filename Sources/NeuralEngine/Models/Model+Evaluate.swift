/// A model's mean loss and accuracy over a data set.
public struct Evaluation: Sendable, Hashable {
    /// The mean loss per sample.
    public var loss: Float
    /// The fraction of samples classified correctly; `nil` for regression.
    public var accuracy: Float?
    /// The number of samples evaluated.
    public var count: Int
}

extension Model {
    /// The mean loss and accuracy of `parameters` over `count` samples, computed forward
    /// only in chunks of `workspace.maxBatchSize`.
    /// - Precondition: `count >= 1`; `inputs` hold `count × inputSize` floats.
    /// - Complexity: O(count · forward cost).
    public func evaluate(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, targets: Targets,
        count: Int, workspace: Workspace
    ) -> Evaluation {
        precondition(count >= 1, "nothing to evaluate")
        var totalLoss = 0.0
        var correct = 0
        var start = 0
        while start < count {
            let size = min(workspace.maxBatchSize, count - start)
            let chunkInputs = UnsafeBufferPointer(rebasing: inputs[(start * inputSize)...])
            let chunkTargets: Targets
            switch targets {
            case .labels(let labels): chunkTargets = .labels(UnsafeBufferPointer(rebasing: labels[start...]))
            case .values(let values): chunkTargets = .values(UnsafeBufferPointer(rebasing: values[(start * outputCount)...]))
            }
            let batch = BatchPointers(model: self, parameters: parameters, inputs: chunkInputs, targets: chunkTargets,
                                      batchSize: size, gradient: nil, workspace: workspace)
            for shard in 0..<workspace.shardCount { runShard(shard, of: batch, workspace: workspace) }
            let result = combineShards(of: batch, workspace: workspace)
            totalLoss += result.lossSum
            correct += result.correct
            start += size
        }
        return Evaluation(
            loss: Float(totalLoss / Double(count)),
            accuracy: loss.takesLabels ? Float(Double(correct) / Double(count)) : nil,
            count: count)
    }

    /// Classification convenience for `evaluate(…targets: .labels(labels)…)`.
    public func evaluate(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
        count: Int, workspace: Workspace
    ) -> Evaluation {
        evaluate(parameters: parameters, inputs: inputs, targets: .labels(labels), count: count, workspace: workspace)
    }
}
