import TestSupport
import Testing
@testable import NeuralEngine

@Suite("Models and initialisation")
struct InitializationTests {
    @Test func lenetHasPyTorchsParameterCountAndShapes() {
        let model = Model.lenet5()
        #expect(model.parameterCount == 61_706)
        #expect(model.inputSize == 784 && model.outputCount == 10)
        #expect(model.layerOutputShapes[2] == TensorShape(channels: 6, height: 14, width: 14))
        #expect(model.layerOutputShapes[5] == TensorShape(channels: 16, height: 5, width: 5))
        #expect(model.parameterBlocks.map(\.count).reduce(0, +) == 61_706)
        #expect(model.parameterOffsets == [0, 156, 156, 156, 2572, 2572, 2572, 2572, 50692, 50692, 60856, 60856])
    }

    @Test func otherModelsHaveTheExpectedSizes() {
        #expect(Model.mlp(inputSize: 784, hidden: [100], outputCount: 10).parameterCount == 784 * 100 + 100 + 1010)
        #expect(Model.logisticRegression(inputSize: 784, classCount: 10).parameterCount == 7850)
        let linear = Model.linearRegression(inputSize: 50)
        #expect(linear.parameterCount == 51 && linear.outputCount == 1 && linear.loss == .squaredError)
    }

    @Test(arguments: [Model.lenet5(), .mlp(inputSize: 20, hidden: [8, 4], outputCount: 3)])
    func sameSeedSameBytesOtherSeedOtherBytes(model: Model) {
        let a = model.initialParameters(seed: 42), b = model.initialParameters(seed: 42)
        #expect(bitwiseDifference(a, b) == nil)
        let c = model.initialParameters(seed: 43)
        #expect(zip(a, c).filter { $0 == $1 }.count < a.count / 100)
    }

    @Test func drawsFillPyTorchsDefaultBound() {
        let model = Model.lenet5()
        let parameters = model.initialParameters(seed: 5)
        for (index, layer) in model.layers.enumerated() {
            guard let fanIn = layer.fanIn else { continue }
            let bound = Float(1 / Double(fanIn).squareRoot())
            let block = parameters[model.parameterOffsets[index]..<(model.parameterOffsets[index] + layer.parameterCount)]
            #expect(block.allSatisfy { abs($0) <= bound })
            // Uniform on [−b, b]: the extremes come close to ±b and the mean is near 0.
            #expect(block.max()! > 0.8 * bound && block.min()! < -0.8 * bound)
            let mean = block.reduce(0.0) { $0 + Double($1) } / Double(block.count)
            #expect(abs(mean) < 0.2 * Double(bound))
        }
    }
}

/// A model as a test argument: its kind and size, not its every layer.
extension Model: CustomTestStringConvertible {
    public var testDescription: String { "\(layers.count) layers, \(parameterCount) parameters" }
}
