import KernelPaths
import SeededRandom
import TestSupport
import Testing
@testable import NeuralEngine

/// ByzFL's MNIST CNN (`cnn_mnist`, LPD-EPFL/byzfl `byzfl/fed_framework/models.py`): its
/// shapes and size, its gradient by finite differences, its bytes on every kernel path, and
/// that it learns.
@Suite("ByzFL's CNN")
struct ByzFLCNNTests {
    @Test func hasByzFLsParameterCountAndShapes() {
        let model = Model.byzflCNN()
        // PyTorch: Conv2d(1, 20, 5) 520, Conv2d(20, 50, 5) 25,050, Linear(800, 500) 400,500, Linear(500, 10) 5,010.
        #expect(model.parameterCount == 431_080)
        #expect(model.inputSize == 784 && model.outputCount == 10)
        #expect(model.layerOutputShapes[0] == TensorShape(channels: 20, height: 24, width: 24))
        #expect(model.layerOutputShapes[2] == TensorShape(channels: 20, height: 12, width: 12))
        #expect(model.layerOutputShapes[3] == TensorShape(channels: 50, height: 8, width: 8))
        #expect(model.layerOutputShapes[5] == TensorShape(channels: 50, height: 4, width: 4))
        #expect(model.layerOutputShapes[6] == TensorShape(flat: 800))
        #expect(model.parameterOffsets == [0, 520, 520, 520, 25_570, 25_570, 25_570, 25_570, 426_070, 426_070])
        #expect(model.reluFusedIntoPooling.filter { $0 }.count == 2)
    }

    /// Central differences on a sample of parameters of every layer (all 431,080 would take
    /// 862,160 forward passes), against the analytic gradient, for a batch of 3. The bound is
    /// looser than the small models' 2e-2 (`GradientCheckTests`, which has this network's
    /// shape in small and checks every parameter): one first-layer weight moves 1,728
    /// pre-activations, and a step of h may carry some across a ReLU kink or a pooling tie.
    @Test func analyticGradientMatchesCentralDifferencesOnASample() {
        let model = Model.byzflCNN()
        let batch = 3
        var generator = SeededGenerator(seed: 11)
        let parameters = model.initialParameters(seed: 3)
        let inputs = normals(batch * model.inputSize, using: &generator)
        let classLabels = labels(batch, classes: 10, using: &generator)
        let workspace = Workspace(model: model, maxBatchSize: batch)
        let analytic = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                       batchSize: batch, workspace: workspace).gradient
        // 12 parameters of each of the four weight-and-bias blocks, drawn at random, and the
        // largest analytic entry of each block (where an error would show most).
        var sample: [Int] = []
        for (index, layer) in model.layers.enumerated() where layer.parameterCount > 0 {
            let start = model.parameterOffsets[index], count = layer.parameterCount
            for _ in 0 ..< 12 { sample.append(start + generator.nextIndex(below: count)) }
            let block = analytic[start ..< start + count]
            sample.append(block.indices.max { abs(block[$0]) < abs(block[$1]) }!)
        }
        var probe = parameters
        let h: Float = 1e-3
        var numeric: [Float] = [], expected: [Float] = []
        for i in sample {
            numeric.append(centralDifference(model, probe: &probe, at: i, step: h, inputs: inputs, labels: classLabels,
                                             values: nil, batchSize: batch, workspace: workspace))
            expected.append(analytic[i])
        }
        let scale = analytic.map(abs).max() ?? 1
        let worst = maxRelativeError(expected, numeric, floor: 0.05 * scale + 1e-3)
        let at = sample.indices.max { abs(expected[$0] - numeric[$0]) < abs(expected[$1] - numeric[$1]) }!
        #expect(worst < 6e-2, "largest relative error \(worst): parameter \(sample[at]), analytic \(expected[at]), numeric \(numeric[at]), scale \(scale)")
        #expect(analytic.allSatisfy { $0.isFinite })
    }

    /// Same seed, same bytes: loss, gradient and evaluation on every path this CPU runs equal
    /// the reference path's (each path its own test, so a missing one shows as skipped).
    @Test(.enabled(if: KernelPath.avx2.isAvailable, "this CPU lacks AVX2 with FMA"))
    func theAVX2PathGivesTheReferenceBytes() { Self.expectReferenceBytes(on: .avx2) }

    @Test(.enabled(if: KernelPath.avx512.isAvailable, "this CPU lacks AVX-512"))
    func theAVX512PathGivesTheReferenceBytes() { Self.expectReferenceBytes(on: .avx512) }

    static func expectReferenceBytes(on path: KernelPath) {
        let model = Model.byzflCNN()
        let batch = 5
        var generator = SeededGenerator(seed: 31)
        let inputs = normals(batch * model.inputSize, using: &generator).map { abs($0) < 0.3 ? 0 : $0 }
        let classLabels = labels(batch, classes: 10, using: &generator)
        let parameters = model.initialParameters(seed: 8)
        func workspace(_ path: KernelPath) -> Workspace {
            Workspace(model: model, maxBatchSize: batch, microBatchSize: 4, kernelPath: path)
        }
        let expected = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                       batchSize: batch, workspace: workspace(.reference))
        let actual = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                     batchSize: batch, workspace: workspace(path))
        #expect(actual.loss.bitPattern == expected.loss.bitPattern)
        #expect(bitwiseDifference(actual.gradient, expected.gradient) == nil)
    }

    @Test func trainingAFewStepsLowersTheLoss() async {
        let model = Model.byzflCNN()
        var generator = SeededGenerator(seed: 8)
        let inputs = normals(8 * model.inputSize, using: &generator)
        let classLabels = labels(8, classes: 10, using: &generator)
        let trainer = Trainer(model: model, seed: 2, optimizer: SGD(learningRate: 0.01, momentum: 0.9),
                              maxBatchSize: 8, shardCount: 2)
        let losses = await lossesOnOneBatch(trainer, inputs: inputs, labels: classLabels, steps: 15)
        #expect(losses[0] > 2 && losses[0] < 2.6)  // about ln 10 at initialisation
        #expect(losses.last! < 0.75 * losses[0], "losses \(losses)")
        #expect(zip(losses, losses.dropFirst()).allSatisfy { $1 < $0 }, "losses \(losses)")
    }
}
