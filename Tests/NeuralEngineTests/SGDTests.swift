import SeededRandom
import Testing
@testable import NeuralEngine

@Suite("SGD")
struct SGDTests {
    @Test func plainStepMovesAgainstTheGradient() {
        var sgd = SGD(learningRate: 0.1)
        var parameters: [Float] = [1, -2, 3]
        sgd.step(parameters: &parameters, gradient: [1, 1, -2])
        #expect(parameters == [0.9, -2.1, 3.2])
        #expect(sgd.velocity.isEmpty)
    }

    @Test func weightDecayAddsLambdaTheta() {
        var sgd = SGD(learningRate: 0.5, weightDecay: 0.1)
        var parameters: [Float] = [2, -4]
        sgd.step(parameters: &parameters, gradient: [0, 1])
        // θ − η(∇ + λθ): 2 − 0.5·0.2 = 1.9; −4 − 0.5·(1 − 0.4) = −4.3
        #expect(abs(parameters[0] - 1.9) < 1e-6 && abs(parameters[1] + 4.3) < 1e-6)
    }

    @Test func momentumMatchesPyTorchsRecurrence() {
        let eta: Float = 0.1, mu: Float = 0.9, lambda: Float = 0.01
        var sgd = SGD(learningRate: eta, momentum: mu, weightDecay: lambda)
        var parameters: [Float] = [1, 2]
        var theta = parameters, v: [Float] = [0, 0]
        let gradients: [[Float]] = [[0.5, -1], [0.25, 0.5], [-1, 2]]
        for g in gradients {
            sgd.step(parameters: &parameters, gradient: g)
            for i in 0..<2 {
                v[i] = mu * v[i] + (g[i] + lambda * theta[i])
                theta[i] -= eta * v[i]
            }
        }
        #expect(parameters == theta)
        #expect(sgd.velocity == v)
    }

    @Test func trainingLowersTheLossOfLogisticRegression() async {
        let model = Model.logisticRegression(inputSize: 4, classCount: 3)
        let trainer = Trainer(model: model, seed: 1, optimizer: SGD(learningRate: 0.5, momentum: 0.5),
                              maxBatchSize: 6, shardCount: 2)
        // Separable: the class is the index of the largest of the first three features.
        let inputs: [Float] = [3, 0, 0, 1, 0, 3, 0, 1, 0, 0, 3, 1, 2, 1, 0, 1, 0, 2, 1, 1, 1, 0, 2, 1]
        let labels: [Int32] = [0, 1, 2, 0, 1, 2]
        var first: Float = 0, last: Float = 0
        for round in 0..<30 {
            let loss = await withHeapCopy(inputs) { x in
                await withHeapCopy(labels) { y in
                    await trainer.step(inputs: UnsafeBufferPointer(x), targets: .labels(UnsafeBufferPointer(y)), batchSize: 6)
                }
            }
            if round == 0 { first = loss }
            last = loss
        }
        #expect(last < 0.5 * first)
    }
}

@Suite("Training end to end")
struct TrainingTests {
    @Test func lenetMemorisesASmallBatch() async {
        let model = Model.lenet5()
        var generator = SeededGenerator(seed: 8)
        let inputs = normals(8 * model.inputSize, using: &generator)
        let classLabels = labels(8, classes: 10, using: &generator)
        let trainer = Trainer(model: model, seed: 2, optimizer: SGD(learningRate: 0.05, momentum: 0.9),
                              maxBatchSize: 8, shardCount: 2)
        let losses = await lossesOnOneBatch(trainer, inputs: inputs, labels: classLabels, steps: 25)
        #expect(losses[0] > 2 && losses[0] < 2.6)  // about ln 10 at initialisation
        #expect(losses.last! < 0.25 * losses[0], "losses \(losses)")
    }
}
