/// The read-only inputs of one shard's pass and where its gradient goes.
struct ShardInput {
    var parameters: UnsafePointer<Float>
    /// The shard's first input row.
    var inputs: UnsafePointer<Float>
    /// The shard's first label (classification) or target row (regression).
    var labels: UnsafePointer<Int32>?
    var values: UnsafePointer<Float>?
    var batchSize: Int
    /// Multiplies the loss gradient: `1 / (whole batch size)` gives the batch mean.
    var scale: Float
    /// Where the parameter gradient goes; `nil` for a forward pass only.
    var gradient: UnsafeMutablePointer<Float>?
}

extension Model {
    /// Forward, loss and (when `input.gradient` is set) backward for one shard, in
    /// micro-batches of at most `buffers.microBatchSize` rows so that the activations and
    /// im2col columns stay in cache: writes the summed loss and the number of correct
    /// predictions into `buffers`, and the gradient `scale · Σ_b ∇ℓ_b`, overwriting, into
    /// `input.gradient` (micro-batches are added in order).
    /// - Complexity: O(B · cost of the layers).
    func pass(_ input: ShardInput, buffers: inout ShardBuffers) {
        precondition(input.batchSize >= 1, "empty shard")
        var loss = 0.0
        var correct = 0
        var start = 0
        while start < input.batchSize {
            let size = min(buffers.microBatchSize, input.batchSize - start)
            var chunk = input
            chunk.inputs = input.inputs + start * inputSize
            chunk.labels = input.labels.map { $0 + start }
            chunk.values = input.values.map { $0 + start * outputCount }
            chunk.batchSize = size
            passMicroBatch(chunk, accumulates: start > 0, buffers: &buffers)
            loss += buffers.loss
            correct += buffers.correct
            start += size
        }
        buffers.loss = loss
        buffers.correct = correct
    }

    /// `pass` for one micro-batch; adds to `input.gradient` when `accumulates`.
    func passMicroBatch(_ input: ShardInput, accumulates: Bool, buffers: inout ShardBuffers) {
        let batch = input.batchSize
        let kernels = buffers.kernelPath
        var x = input.inputs
        if let transposed = buffers.transposedInput {
            // [B][C·H·W] → [C·H·W][B]
            swapLeadingAxes(input.inputs, transposed, a: batch, b: inputSize, inner: 1)
            x = UnsafePointer(transposed)
        }
        let modelInput = x

        // Forward. A ReLU fused into the pooling after it is skipped here, and that
        // pooling reads the ReLU's input.
        for (index, layer) in layers.enumerated() {
            if fusesReLU(at: index, batchSize: batch) { continue }
            let shape = layerInputShapes[index]
            let y = buffers.activations[index]
            let weights = input.parameters + parameterOffsets[index]
            switch layer {
            case .conv2D(let conv):
                conv.forward(parameters: weights, input: x, inputShape: shape, batchSize: batch,
                             columns: buffers.columns[index], output: y, kernels: kernels)
            case .maxPool2D(let pool):
                if index > 0 && fusesReLU(at: index - 1, batchSize: batch) {
                    pool.forwardAfterReLU(input: x, inputShape: shape, batchSize: batch, output: y,
                                          argmax: buffers.poolIndices[index], kernels: kernels)
                } else {
                    pool.forward(input: x, inputShape: shape, batchSize: batch, output: y,
                                 argmax: buffers.poolIndices[index], kernels: kernels)
                }
            case .dense(let dense):
                dense.forward(parameters: weights, input: x, batchSize: batch, output: y, kernels: kernels)
            case .relu:
                ReLU().forward(input: x, output: y, count: batch * shape.count)
            case .tanh:
                Tanh().forward(input: x, output: y, count: batch * shape.count)
            case .flatten:
                if layerInputLayouts[index] == .channelMajor {
                    // [C·H·W][B] → [B][C·H·W], PyTorch's (c, h, w) order per sample
                    swapLeadingAxes(x, y, a: shape.count, b: batch, inner: 1)
                } else {
                    y.update(from: x, count: batch * shape.count)
                }
            }
            x = UnsafePointer(y)
        }

        // Loss and its gradient with respect to the outputs.
        let outputs = x
        let classes = outputCount
        let outputGradient: UnsafeMutablePointer<Float>? = input.gradient == nil ? nil : buffers.gradientA
        switch loss {
        case .softmaxCrossEntropy:
            guard let labels = input.labels else { preconditionFailure("classification needs labels") }
            buffers.loss = softmaxCrossEntropy(
                logits: outputs, labels: labels, batchSize: batch, classCount: classes,
                scale: input.scale, gradient: outputGradient)
            buffers.correct = countCorrect(logits: outputs, labels: labels, batchSize: batch, classCount: classes)
        case .squaredError:
            guard let values = input.values else { preconditionFailure("regression needs real-valued targets") }
            buffers.loss = squaredError(
                outputs: outputs, targets: values, count: batch * classes,
                scale: input.scale, gradient: outputGradient)
            buffers.correct = 0
        }
        guard let parameterGradient = input.gradient, var dy = outputGradient else { return }

        // Backward, from the last layer down to the first one with parameters.
        var dx = buffers.gradientB
        for index in stride(from: layers.count - 1, through: firstTrainableLayer, by: -1) {
            if fusesReLU(at: index, batchSize: batch) { continue }   // its pooling's backward pass went through it
            let shape = layerInputShapes[index]
            let layerInput = index == 0 ? modelInput : UnsafePointer(buffers.activations[index - 1])
            let propagates = index > firstTrainableLayer
            let weights = input.parameters + parameterOffsets[index]
            let weightGradient = parameterGradient + parameterOffsets[index]
            switch layers[index] {
            case .conv2D(let conv):
                conv.backward(parameters: weights, inputShape: shape, batchSize: batch, accumulates: accumulates,
                              columns: buffers.columns[index], outputGradient: dy, parameterGradient: weightGradient,
                              inputGradient: propagates ? dx : nil, columnGradient: buffers.columnGradient,
                              kernels: kernels)
            case .dense(let dense):
                dense.backward(parameters: weights, input: layerInput, batchSize: batch, accumulates: accumulates,
                               outputGradient: dy, parameterGradient: weightGradient,
                               inputGradient: propagates ? dx : nil, kernels: kernels)
            case .maxPool2D(let pool):
                if index > 0 && fusesReLU(at: index - 1, batchSize: batch) {
                    pool.backwardThroughReLU(inputShape: shape, batchSize: batch, argmax: buffers.poolIndices[index],
                                             pooled: buffers.activations[index], outputGradient: dy, inputGradient: dx,
                                             kernels: kernels)
                } else {
                    pool.backward(inputShape: shape, batchSize: batch, argmax: buffers.poolIndices[index],
                                  outputGradient: dy, inputGradient: dx, kernels: kernels)
                }
            case .relu:
                ReLU().backward(output: buffers.activations[index], outputGradient: dy,
                                inputGradient: dx, count: batch * shape.count)
            case .tanh:
                Tanh().backward(output: buffers.activations[index], outputGradient: dy,
                                inputGradient: dx, count: batch * shape.count)
            case .flatten:
                if layerInputLayouts[index] == .channelMajor {
                    swapLeadingAxes(dy, dx, a: batch, b: shape.count, inner: 1)
                } else {
                    dx.update(from: dy, count: batch * shape.count)
                }
            }
            swap(&dx, &dy)
        }
    }
}

extension Model {
    /// Whether a micro-batch of `batchSize` fuses layer `index`, a ReLU, into the pooling
    /// after it: ``reluFusedIntoPooling`` and all of the ReLU's `batchSize · C·H·W` values
    /// would go through its vector steps, so that the fused pass gives its bytes.
    /// - Complexity: O(1).
    @inline(__always)
    func fusesReLU(at index: Int, batchSize: Int) -> Bool {
        reluFusedIntoPooling[index] && ReLU.computesInLanesOnly(count: batchSize &* layerInputShapes[index].count)
    }
}

/// The number of rows whose first largest logit is at the label.
/// - Complexity: O(B · K).
func countCorrect(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batchSize: Int, classCount: Int) -> Int {
    var correct = 0
    for b in 0..<batchSize {
        let z = logits + b * classCount
        var best = 0
        for k in 1..<classCount where z[k] > z[best] { best = k }
        if best == Int(labels[b]) { correct += 1 }
    }
    return correct
}
