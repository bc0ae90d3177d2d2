import SeededRandom
import Testing
@testable import NeuralEngine

/// Central finite differences of the mean loss, `(L(θ + h·e_i) − L(θ − h·e_i)) / 2h`,
/// against the analytic gradient, for every parameter of small models that together
/// contain every layer and both losses. A layer's input gradient is checked through the
/// parameters of the layers before it.
@Suite("Finite-difference gradient checks")
struct GradientCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var model: Model
        var batchSize: Int
        var step: Float
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "conv(pad 1) → tanh → conv(stride 2) → relu → maxpool → flatten → dense, squared loss",
             model: Model(
                inputShape: TensorShape(channels: 2, height: 9, width: 9),
                layers: [
                    .conv2D(Conv2D(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1)),
                    .tanh,
                    .conv2D(Conv2D(inputChannels: 3, outputChannels: 2, kernelSize: 3, stride: 2)),
                    .relu,
                    .maxPool2D(MaxPool2D(kernelSize: 2)),
                    .flatten,
                    .dense(Dense(inputSize: 8, outputSize: 3)),
                ],
                loss: .squaredError),
             batchSize: 3, step: 1e-3),
        Case(name: "conv → relu → maxpool(3, stride 2) → flatten → dense, cross-entropy",
             model: Model(
                inputShape: TensorShape(channels: 1, height: 8, width: 8),
                layers: [
                    .conv2D(Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 2)),
                    .relu,
                    .maxPool2D(MaxPool2D(kernelSize: 3, stride: 2)),
                    .flatten,
                    .dense(Dense(inputSize: 32, outputSize: 4)),
                ],
                loss: .softmaxCrossEntropy),
             batchSize: 2, step: 1e-3),
        Case(name: "ByzFL's CNN in small: conv(5×5) → relu → maxpool → conv → relu → maxpool → dense → relu → dense",
             model: Model(
                inputShape: TensorShape(channels: 1, height: 16, width: 16),
                layers: [
                    .conv2D(Conv2D(inputChannels: 1, outputChannels: 3, kernelSize: 5)),
                    .relu,
                    .maxPool2D(MaxPool2D(kernelSize: 2)),
                    .conv2D(Conv2D(inputChannels: 3, outputChannels: 4, kernelSize: 3)),
                    .relu,
                    .maxPool2D(MaxPool2D(kernelSize: 2)),
                    .flatten,
                    .dense(Dense(inputSize: 16, outputSize: 6)),
                    .relu,
                    .dense(Dense(inputSize: 6, outputSize: 3)),
                ],
                loss: .softmaxCrossEntropy),
             batchSize: 2, step: 1e-3),
        Case(name: "flatten → MLP (tanh), cross-entropy",
             model: Model(
                inputShape: TensorShape(channels: 2, height: 2, width: 3),
                layers: [.flatten, .dense(Dense(inputSize: 12, outputSize: 5)), .tanh,
                         .dense(Dense(inputSize: 5, outputSize: 3))],
                loss: .softmaxCrossEntropy),
             batchSize: 4, step: 1e-3),
        Case(name: "MLP (relu), cross-entropy", model: .mlp(inputSize: 6, hidden: [7, 5], outputCount: 3),
             batchSize: 5, step: 1e-3),
        Case(name: "logistic regression", model: .logisticRegression(inputSize: 5, classCount: 4),
             batchSize: 6, step: 1e-3),
        Case(name: "linear regression", model: .linearRegression(inputSize: 4, outputCount: 2),
             batchSize: 5, step: 1e-3),
    ]

    @Test(arguments: cases)
    func analyticGradientMatchesCentralDifferences(_ testCase: Case) {
        let model = testCase.model
        let batch = testCase.batchSize
        // ReLU and max pooling are not differentiable where a pre-activation is within h of
        // zero or a pooling window has a near-tie; a central difference straddling such a
        // kink averages two one-sided slopes. The data seed is one whose draws stay clear.
        var generator = SeededGenerator(seed: 11)
        let parameters = model.initialParameters(seed: 3)
        let inputs = normals(batch * model.inputSize, using: &generator)
        let classLabels = model.loss.takesLabels ? labels(batch, classes: model.outputCount, using: &generator) : nil
        let values = model.loss.takesLabels ? nil : normals(batch * model.outputCount, using: &generator)
        let workspace = Workspace(model: model, maxBatchSize: batch)

        let analytic = lossAndGradient(model, parameters: parameters, inputs: inputs, labels: classLabels,
                                       values: values, batchSize: batch, workspace: workspace).gradient
        var numeric = [Float](repeating: 0, count: model.parameterCount)
        var probe = parameters
        let h = testCase.step
        for i in parameters.indices {
            numeric[i] = centralDifference(model, probe: &probe, at: i, step: h, inputs: inputs, labels: classLabels,
                                           values: values, batchSize: batch, workspace: workspace)
        }
        let scale = analytic.map(abs).max() ?? 1
        let worst = maxRelativeError(analytic, numeric, floor: 0.05 * scale + 1e-3)
        #expect(worst < 2e-2, "largest relative error \(worst)")
        #expect(analytic.allSatisfy { $0.isFinite })
    }
}
