extension Model {
    /// The mean loss of a batch and its gradient, `g = (1/B) Σ_b ∇_θ ℓ(f_θ(x_b), y_b)`,
    /// written (overwriting) into `gradient` in the flat parameter layout.
    ///
    /// The master passes a row of its preallocated m × d gradient matrix as `gradient`;
    /// `parameters` are only read. The workspace's shards run one after another on the
    /// calling thread; `parallelLossAndGradient` runs them concurrently with the same bytes.
    ///
    /// - Parameters:
    ///   - inputs: `batchSize × inputSize` floats, row-major (`[B][C][H][W]`).
    ///   - targets: `.labels` (`batchSize` classes) for `.softmaxCrossEntropy`, `.values`
    ///     (`batchSize × outputCount`) for `.squaredError`.
    /// - Returns: the mean loss over the batch.
    /// - Precondition: buffer lengths match, `1 ≤ batchSize ≤ workspace.maxBatchSize`,
    ///   `workspace.model == self`.
    /// - Complexity: O(batchSize · model cost); no allocation.
    public func lossAndGradient(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, targets: Targets,
        batchSize: Int, gradient: UnsafeMutableBufferPointer<Float>, workspace: Workspace
    ) -> Float {
        let batch = BatchPointers(model: self, parameters: parameters, inputs: inputs, targets: targets,
                                  batchSize: batchSize, gradient: gradient, workspace: workspace)
        for shard in 0..<workspace.shardCount { runShard(shard, of: batch, workspace: workspace) }
        return Float(combineShards(of: batch, workspace: workspace).lossSum / Double(batchSize))
    }

    /// `lossAndGradient` with the workspace's shards computed concurrently, one child
    /// task each: the same bytes as the sequential call.
    /// - Complexity: as `lossAndGradient`, divided among the shards.
    public func parallelLossAndGradient(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, targets: Targets,
        batchSize: Int, gradient: UnsafeMutableBufferPointer<Float>, workspace: Workspace
    ) async -> Float {
        let batch = BatchPointers(model: self, parameters: parameters, inputs: inputs, targets: targets,
                                  batchSize: batchSize, gradient: gradient, workspace: workspace)
        await withTaskGroup(of: Void.self) { group in
            for shard in 1..<workspace.shardCount {
                group.addTask { self.runShard(shard, of: batch, workspace: workspace) }
            }
            runShard(0, of: batch, workspace: workspace)
        }
        return Float(combineShards(of: batch, workspace: workspace).lossSum / Double(batchSize))
    }

    /// Labels convenience for `lossAndGradient(…targets: .labels(labels)…)`.
    public func lossAndGradient(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
        batchSize: Int, gradient: UnsafeMutableBufferPointer<Float>, workspace: Workspace
    ) -> Float {
        lossAndGradient(parameters: parameters, inputs: inputs, targets: .labels(labels), batchSize: batchSize,
                        gradient: gradient, workspace: workspace)
    }

    /// Regression convenience for `lossAndGradient(…targets: .values(targets)…)`.
    public func lossAndGradient(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, targets: UnsafeBufferPointer<Float>,
        batchSize: Int, gradient: UnsafeMutableBufferPointer<Float>, workspace: Workspace
    ) -> Float {
        lossAndGradient(parameters: parameters, inputs: inputs, targets: .values(targets), batchSize: batchSize,
                        gradient: gradient, workspace: workspace)
    }

    /// Runs shard `index`'s rows of `batch` (a synchronous kernel; tasks only fan out).
    func runShard(_ index: Int, of batch: BatchPointers, workspace: Workspace) {
        let rows = workspace.rows(ofShard: index, batchSize: batch.batchSize)
        let shard = workspace.shards[index]
        shard.buffers.withLock { buffers in
            guard !rows.isEmpty else {
                buffers.loss = 0
                buffers.correct = 0
                return
            }
            let input = ShardInput(
                parameters: batch.parameters,
                inputs: batch.inputs + rows.lowerBound * inputSize,
                labels: batch.labels.map { $0 + rows.lowerBound },
                values: batch.values.map { $0 + rows.lowerBound * outputCount },
                batchSize: rows.count,
                scale: 1 / Float(batch.batchSize),
                gradient: batch.gradient == nil ? nil : (index == 0 ? batch.gradient : buffers.gradient))
            pass(input, buffers: &buffers)
        }
    }

    /// Sums the shards' summed losses and gradients in shard order into the caller's buffers.
    func combineShards(of batch: BatchPointers, workspace: Workspace) -> (lossSum: Double, correct: Int) {
        var loss = 0.0
        var correct = 0
        for index in 0..<workspace.shardCount {
            let rows = workspace.rows(ofShard: index, batchSize: batch.batchSize)
            workspace.shards[index].buffers.withLock { buffers in
                loss += buffers.loss
                correct += buffers.correct
                if index > 0, !rows.isEmpty, let gradient = batch.gradient {
                    addInPlace(gradient, buffers.gradient, count: parameterCount)
                }
            }
        }
        return (loss, correct)
    }
}

/// The caller's buffers for one batch, carried into the shard tasks.
///
/// `@unchecked Sendable` is safe here: the pointers are used only inside
/// `parallelLossAndGradient`'s task group, which awaits every child before returning, so
/// the pointees outlive every use; children only read `parameters`, `inputs`, `labels`
/// and `values`; only shard 0 writes `gradient` during the group (the others write their
/// own buffers behind their own mutex), and the shards are summed into `gradient` after
/// the group has finished.
struct BatchPointers: @unchecked Sendable {
    var parameters: UnsafePointer<Float>
    var inputs: UnsafePointer<Float>
    var labels: UnsafePointer<Int32>?
    var values: UnsafePointer<Float>?
    var batchSize: Int
    var gradient: UnsafeMutablePointer<Float>?

    init(model: Model, parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, targets: Targets,
         batchSize: Int, gradient: UnsafeMutableBufferPointer<Float>?, workspace: Workspace) {
        precondition(workspace.model == model, "the workspace was made for another model")
        precondition(batchSize >= 1 && batchSize <= workspace.maxBatchSize,
                     "batch size \(batchSize) outside 1...\(workspace.maxBatchSize)")
        precondition(parameters.count == model.parameterCount,
                     "\(parameters.count) parameters, the model has \(model.parameterCount)")
        precondition(inputs.count >= batchSize * model.inputSize, "inputs hold fewer than \(batchSize) samples")
        if let gradient {
            precondition(gradient.count == model.parameterCount,
                         "gradient holds \(gradient.count) values, the model has \(model.parameterCount)")
        }
        // Both are non-empty here: d ≥ 1 (a model has parameters) and batchSize · inputSize ≥ 1.
        guard let parameterBase = parameters.baseAddress, let inputBase = inputs.baseAddress else {
            preconditionFailure("empty parameter or input buffer")
        }
        self.parameters = parameterBase
        self.inputs = inputBase
        switch targets {
        case .labels(let labels):
            precondition(model.loss.takesLabels, "this model's loss needs real-valued targets")
            precondition(labels.count >= batchSize, "fewer labels than samples")
            self.labels = labels.baseAddress
        case .values(let values):
            precondition(!model.loss.takesLabels, "this model's loss needs class labels")
            precondition(values.count >= batchSize * model.outputCount, "fewer targets than outputs")
            self.values = values.baseAddress
        }
        self.batchSize = batchSize
        self.gradient = gradient?.baseAddress
    }
}
