import SeededRandom
import TestSupport
import Testing
@testable import NeuralEngine

/// Same inputs give the same bytes however the shards are scheduled.
@Suite("Determinism and workspaces", .serialized)
struct DeterminismTests {
    let model = Model(
        inputShape: TensorShape(channels: 1, height: 12, width: 12),
        layers: [
            .conv2D(Conv2D(inputChannels: 1, outputChannels: 3, kernelSize: 5, padding: 2)), .relu,
            .maxPool2D(MaxPool2D(kernelSize: 2)),
            .conv2D(Conv2D(inputChannels: 3, outputChannels: 4, kernelSize: 3)), .relu,
            .maxPool2D(MaxPool2D(kernelSize: 2)), .flatten,
            .dense(Dense(inputSize: 16, outputSize: 10)), .relu, .dense(Dense(inputSize: 10, outputSize: 5)),
        ],
        loss: .softmaxCrossEntropy)

    func batch(_ size: Int) -> (inputs: [Float], labels: [Int32]) {
        var generator = SeededGenerator(seed: 9)
        return (normals(size * model.inputSize, using: &generator), labels(size, classes: 5, using: &generator))
    }

    @Test func parallelShardsGiveTheSameBytesAsSequentialShards() async {
        let (inputs, classLabels) = batch(7)
        let parameters = model.initialParameters(seed: 1)
        let workspace = Workspace(model: model, maxBatchSize: 8, shardCount: 2)
        let sequential = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                         batchSize: 7, workspace: workspace)
        for _ in 0..<20 {
            let (loss, gradient) = await withHeapCopy(parameters) { p in
                await withHeapCopy(inputs) { x in
                    await withHeapCopy(classLabels) { y in
                        await withHeapCopy([Float](repeating: .nan, count: model.parameterCount)) { g in
                            let loss = await model.parallelLossAndGradient(
                                parameters: UnsafeBufferPointer(p), inputs: UnsafeBufferPointer(x),
                                targets: .labels(UnsafeBufferPointer(y)), batchSize: 7, gradient: g, workspace: workspace)
                            return (loss, Array(g))
                        }
                    }
                }
            }
            #expect(loss.bitPattern == sequential.loss.bitPattern)
            #expect(bitwiseDifference(gradient, sequential.gradient) == nil)
        }
    }

    @Test(arguments: [(1, 1), (2, 1), (2, 2), (3, 4), (5, 2), (1, 4)])
    func shardsAndMicroBatchesAgreeWithOnePassUpToRounding(shardCount: Int, microBatchSize: Int) {
        let (inputs, classLabels) = batch(6)
        let parameters = model.initialParameters(seed: 3)
        let whole = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels, batchSize: 6,
                                    workspace: Workspace(model: model, maxBatchSize: 6, microBatchSize: 6))
        // A batch smaller than the shard count leaves some shards empty.
        for size in [6, 2] {
            let sharded = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                          batchSize: size,
                                          workspace: Workspace(model: model, maxBatchSize: 6, shardCount: shardCount,
                                                               microBatchSize: microBatchSize))
            let reference = size == 6 ? whole : lossAndGradient(
                model, parameters: parameters, inputs: inputs, labels: classLabels, batchSize: size,
                workspace: Workspace(model: model, maxBatchSize: 6, microBatchSize: 6))
            #expect(abs(sharded.loss - reference.loss) <= 1e-5 * abs(reference.loss))
            let scale = reference.gradient.map(abs).max()!
            #expect(maxRelativeError(sharded.gradient, reference.gradient, floor: 1e-4 * scale) < 1e-3)
        }
    }

    /// LeNet with its ReLUs fused into the poolings after them gives the bytes of LeNet
    /// computed layer by layer: the loss, the gradient and the evaluation, for batches that
    /// fill micro-batches of 4, that leave a short last one (9 = 4 + 4 + 1), and other
    /// micro-batch sizes. The inputs hold exact zeros, so that ReLU sees 0 and ties.
    @Test(arguments: [(1, 4), (4, 4), (8, 4), (9, 4), (9, 1), (16, 8), (32, 32)])
    func theFastPathsKeepLeNetsBytes(batchSize: Int, microBatchSize: Int) {
        let fast = Model.lenet5()
        let plain = Model(inputShape: fast.inputShape, layers: fast.layers, loss: fast.loss, usesFastPaths: false)
        #expect(fast.reluFusedIntoPooling.filter { $0 }.count == 2)
        #expect(!plain.reluFusedIntoPooling.contains(true))
        var generator = SeededGenerator(seed: 12)
        let inputs = normals(batchSize * fast.inputSize, using: &generator).map { abs($0) < 0.3 ? 0 : $0 }
        let classLabels = labels(batchSize, classes: 10, using: &generator)
        let parameters = fast.initialParameters(seed: 5)
        func workspace(_ model: Model) -> Workspace {
            Workspace(model: model, maxBatchSize: batchSize, microBatchSize: microBatchSize)
        }
        let a = lossAndGradient(fast, parameters: parameters, inputs: inputs, labels: classLabels, batchSize: batchSize,
                                workspace: workspace(fast))
        let b = lossAndGradient(plain, parameters: parameters, inputs: inputs, labels: classLabels, batchSize: batchSize,
                                workspace: workspace(plain))
        #expect(a.loss.bitPattern == b.loss.bitPattern)
        #expect(bitwiseDifference(a.gradient, b.gradient) == nil)
        func evaluation(_ model: Model) -> Evaluation {
            parameters.withUnsafeBufferPointer { p in
                inputs.withUnsafeBufferPointer { x in
                    classLabels.withUnsafeBufferPointer { y in
                        model.evaluate(parameters: p, inputs: x, labels: y, count: batchSize, workspace: workspace(model))
                    }
                }
            }
        }
        #expect(evaluation(fast) == evaluation(plain))
    }

    /// Every kernel path gives LeNet's bytes: loss, gradient and evaluation equal the
    /// reference path's, for whole and short micro-batches (each path is its own test, so a
    /// path this CPU lacks shows as skipped).
    static func expectLeNetBytes(on path: KernelPath, batchSize: Int, microBatchSize: Int) {
        let model = Model.lenet5()
        var generator = SeededGenerator(seed: 31)
        let inputs = normals(batchSize * model.inputSize, using: &generator).map { abs($0) < 0.3 ? 0 : $0 }
        let classLabels = labels(batchSize, classes: 10, using: &generator)
        let parameters = model.initialParameters(seed: 8)
        func workspace(_ path: KernelPath) -> Workspace {
            Workspace(model: model, maxBatchSize: batchSize, microBatchSize: microBatchSize, kernelPath: path)
        }
        let expected = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                       batchSize: batchSize, workspace: workspace(.reference))
        let actual = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                     batchSize: batchSize, workspace: workspace(path))
        #expect(actual.loss.bitPattern == expected.loss.bitPattern)
        let differing = zip(actual.gradient, expected.gradient).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(model.parameterCount) gradient entries differ")
        func evaluation(_ path: KernelPath) -> Evaluation {
            parameters.withUnsafeBufferPointer { p in
                inputs.withUnsafeBufferPointer { x in
                    classLabels.withUnsafeBufferPointer { y in
                        model.evaluate(parameters: p, inputs: x, labels: y, count: batchSize, workspace: workspace(path))
                    }
                }
            }
        }
        #expect(evaluation(path) == evaluation(.reference))
    }

    @Test(.enabled(if: KernelPath.avx2.isAvailable, "this CPU lacks AVX2 with FMA"), arguments: [(4, 4), (9, 4), (6, 6)])
    func theAVX2PathGivesLeNetsBytes(batchSize: Int, microBatchSize: Int) {
        Self.expectLeNetBytes(on: .avx2, batchSize: batchSize, microBatchSize: microBatchSize)
    }

    @Test(.enabled(if: KernelPath.avx512.isAvailable, "this CPU lacks AVX-512"), arguments: [(4, 4), (9, 4), (6, 6)])
    func theAVX512PathGivesLeNetsBytes(batchSize: Int, microBatchSize: Int) {
        Self.expectLeNetBytes(on: .avx512, batchSize: batchSize, microBatchSize: microBatchSize)
    }

    @Test func gradientIsOverwrittenNotAccumulated() {
        let (inputs, classLabels) = batch(4)
        let parameters = model.initialParameters(seed: 4)
        // Two shards of two micro-batches each: the first micro-batch overwrites, the next adds.
        let workspace = Workspace(model: model, maxBatchSize: 4, shardCount: 2, microBatchSize: 1)
        var gradient = [Float](repeating: 1e6, count: model.parameterCount)
        let fresh = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                    batchSize: 4, workspace: workspace).gradient
        parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                classLabels.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        _ = model.lossAndGradient(parameters: p, inputs: x, labels: y, batchSize: 4, gradient: g,
                                                  workspace: workspace)
                    }
                }
            }
        }
        #expect(bitwiseDifference(gradient, fresh) == nil)
    }

    @Test func evaluateAgreesWithTheTrainingLossAndCountsCorrectPredictions() {
        let (inputs, classLabels) = batch(10)
        let parameters = model.initialParameters(seed: 5)
        let big = Workspace(model: model, maxBatchSize: 10)
        let small = Workspace(model: model, maxBatchSize: 3, shardCount: 2)
        let trainingLoss = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                           batchSize: 10, workspace: big).loss
        let (whole, chunked) = parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                classLabels.withUnsafeBufferPointer { y in
                    (model.evaluate(parameters: p, inputs: x, labels: y, count: 10, workspace: big),
                     model.evaluate(parameters: p, inputs: x, labels: y, count: 10, workspace: small))
                }
            }
        }
        #expect(abs(whole.loss - trainingLoss) <= 1e-6 * trainingLoss)
        #expect(abs(chunked.loss - trainingLoss) <= 1e-5 * trainingLoss)
        #expect(whole.accuracy == chunked.accuracy && whole.count == 10)
        let accuracy = try! #require(whole.accuracy)
        #expect((accuracy * 10).rounded() == accuracy * 10)
    }
}

/// Several workers, each with its own workspace, computing concurrently as the
/// simulation does: the same bytes as one after another.
@Suite("Concurrent workers")
struct ConcurrentWorkerTests {
    /// A worker's heap buffers, handed to its task.
    ///
    /// `@unchecked Sendable` is safe: each task reads the shared parameters and its own
    /// inputs and writes only its own gradient row; the task group is awaited before the
    /// buffers are read or freed.
    struct Job: @unchecked Sendable {
        var parameters: UnsafeBufferPointer<Float>
        var inputs: UnsafeBufferPointer<Float>
        var labels: UnsafeBufferPointer<Int32>
        var gradient: UnsafeMutableBufferPointer<Float>
    }

    @Test func workersWithOwnWorkspacesGiveTheSameBytesConcurrently() async {
        let model = Model.lenet5()
        let workers = 4, batch = 3
        var generator = SeededGenerator(seed: 12)
        let parameters = model.initialParameters(seed: 6)
        let inputs = normals(workers * batch * model.inputSize, using: &generator)
        let classLabels = labels(workers * batch, classes: 10, using: &generator)
        var expected: [[Float]] = []
        for w in 0..<workers {
            let x = Array(inputs[(w * batch * model.inputSize)..<((w + 1) * batch * model.inputSize)])
            let y = Array(classLabels[(w * batch)..<((w + 1) * batch)])
            expected.append(lossAndGradient(model, parameters: parameters, inputs: x, labels: y, batchSize: batch,
                                            workspace: Workspace(model: model, maxBatchSize: batch)).gradient)
        }

        let workspaces = (0..<workers).map { _ in Workspace(model: model, maxBatchSize: batch) }
        let matrix = await withHeapCopy(parameters) { p in
            await withHeapCopy(inputs) { x in
                await withHeapCopy(classLabels) { y in
                    await withHeapCopy([Float](repeating: .nan, count: workers * model.parameterCount)) { g in
                        let d = model.parameterCount, n = batch * model.inputSize
                        await withTaskGroup(of: Void.self) { group in
                            for w in 0..<workers {
                                let job = Job(
                                    parameters: UnsafeBufferPointer(p),
                                    inputs: UnsafeBufferPointer(rebasing: x[(w * n)..<((w + 1) * n)]),
                                    labels: UnsafeBufferPointer(rebasing: y[(w * batch)..<((w + 1) * batch)]),
                                    gradient: UnsafeMutableBufferPointer(rebasing: g[(w * d)..<((w + 1) * d)]))
                                let workspace = workspaces[w]
                                group.addTask {
                                    _ = model.lossAndGradient(parameters: job.parameters, inputs: job.inputs,
                                                              labels: job.labels, batchSize: batch,
                                                              gradient: job.gradient, workspace: workspace)
                                }
                            }
                        }
                        return Array(g)
                    }
                }
            }
        }
        for w in 0..<workers {
            let row = Array(matrix[(w * model.parameterCount)..<((w + 1) * model.parameterCount)])
            #expect(bitwiseDifference(row, expected[w]) == nil)
        }
    }
}
