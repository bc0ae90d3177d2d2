import SeededRandom
@testable import NeuralEngine

/// `count` draws of N(0, scale²) from `generator`.
func normals(_ count: Int, scale: Double = 1, using generator: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in Float(generator.nextNormal() * scale) }
}

/// `count` labels uniform in `0..<classes`.
func labels(_ count: Int, classes: Int, using generator: inout SeededGenerator) -> [Int32] {
    (0..<count).map { _ in Int32(generator.nextIndex(below: classes)) }
}

/// The mean loss and gradient by the public API, for array inputs.
func lossAndGradient(
    _ model: Model, parameters: [Float], inputs: [Float], labels: [Int32]? = nil, values: [Float]? = nil,
    batchSize: Int, workspace: Workspace
) -> (loss: Float, gradient: [Float]) {
    var gradient = [Float](repeating: .nan, count: model.parameterCount)
    let loss = parameters.withUnsafeBufferPointer { p in
        inputs.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                if let labels {
                    return labels.withUnsafeBufferPointer { y in
                        model.lossAndGradient(parameters: p, inputs: x, labels: y, batchSize: batchSize,
                                              gradient: g, workspace: workspace)
                    }
                }
                return values!.withUnsafeBufferPointer { t in
                    model.lossAndGradient(parameters: p, inputs: x, targets: t, batchSize: batchSize,
                                          gradient: g, workspace: workspace)
                }
            }
        }
    }
    return (loss, gradient)
}

/// The mean loss only (forward pass), summed in Double (internal API: no rounding to Float).
func meanLoss(
    _ model: Model, parameters: [Float], inputs: [Float], labels: [Int32]?, values: [Float]?,
    batchSize: Int, workspace: Workspace
) -> Double {
    parameters.withUnsafeBufferPointer { p in
        inputs.withUnsafeBufferPointer { x in
            func run(_ targets: Targets) -> Double {
                let batch = BatchPointers(model: model, parameters: p, inputs: x, targets: targets,
                                          batchSize: batchSize, gradient: nil, workspace: workspace)
                for shard in 0..<workspace.shardCount { model.runShard(shard, of: batch, workspace: workspace) }
                return model.combineShards(of: batch, workspace: workspace).lossSum / Double(batchSize)
            }
            if let labels { return labels.withUnsafeBufferPointer { run(.labels($0)) } }
            return values!.withUnsafeBufferPointer { run(.values($0)) }
        }
    }
}

/// The largest |a − b| / (|b| + floor) over two equal-length vectors.
func maxRelativeError(_ a: [Float], _ b: [Float], floor: Float) -> Float {
    precondition(a.count == b.count)
    var worst: Float = 0
    for i in a.indices { worst = max(worst, abs(a[i] - b[i]) / (abs(b[i]) + floor)) }
    return worst
}

/// A heap copy of `values` that an async body may use (array pointers are scoped to
/// synchronous closures), deallocated afterwards.
func withHeapCopy<T, R>(_ values: [T], _ body: (UnsafeMutableBufferPointer<T>) async -> R) async -> R {
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
    _ = buffer.initialize(from: values)
    defer { buffer.deallocate() }
    return await body(UnsafeMutableBufferPointer(rebasing: buffer[0..<values.count]))
}

/// The central difference of the mean loss in parameter `i`, `(L(θ + h·e_i) − L(θ − h·e_i)) / 2h`,
/// with the perturbation actually applied in Float; `probe` holds θ and is left as it was.
func centralDifference(
    _ model: Model, probe: inout [Float], at i: Int, step h: Float, inputs: [Float], labels: [Int32]?,
    values: [Float]?, batchSize: Int, workspace: Workspace
) -> Float {
    let original = probe[i]
    probe[i] = original + h
    let up = meanLoss(model, parameters: probe, inputs: inputs, labels: labels, values: values,
                      batchSize: batchSize, workspace: workspace)
    probe[i] = original - h
    let down = meanLoss(model, parameters: probe, inputs: inputs, labels: labels, values: values,
                        batchSize: batchSize, workspace: workspace)
    probe[i] = original
    return Float((up - down) / (Double(original + h) - Double(original - h)))
}

/// The training losses of `steps` steps of `trainer` on one fixed batch.
func lossesOnOneBatch(_ trainer: Trainer, inputs: [Float], labels: [Int32], steps: Int) async -> [Float] {
    var losses: [Float] = []
    for _ in 0..<steps {
        let loss = await withHeapCopy(inputs) { x in
            await withHeapCopy(labels) { y in
                await trainer.step(inputs: UnsafeBufferPointer(x), targets: .labels(UnsafeBufferPointer(y)),
                                   batchSize: labels.count)
            }
        }
        losses.append(loss)
    }
    return losses
}
