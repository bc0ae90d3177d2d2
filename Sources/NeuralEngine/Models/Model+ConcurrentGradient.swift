import Dispatch

extension Model {
    /// `lossAndGradient` with the workspace's shards computed on concurrent threads, for
    /// callers that are not in Swift concurrency (the simulation's worker threads): the same
    /// bytes as the sequential call, since shards are fixed and summed in shard order.
    /// - Complexity: as `lossAndGradient`, divided among the shards.
    public func concurrentLossAndGradient(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, targets: Targets,
        batchSize: Int, gradient: UnsafeMutableBufferPointer<Float>, workspace: Workspace
    ) -> Float {
        let batch = BatchPointers(model: self, parameters: parameters, inputs: inputs, targets: targets,
                                  batchSize: batchSize, gradient: gradient, workspace: workspace)
        // Each iteration runs one shard with that shard's own buffers (see `runShard`).
        DispatchQueue.concurrentPerform(iterations: workspace.shardCount) { shard in
            self.runShard(shard, of: batch, workspace: workspace)
        }
        return Float(combineShards(of: batch, workspace: workspace).lossSum / Double(batchSize))
    }
}
