import BrSGDRecords
import NeuralEngine

extension ModelName {
    /// The engine's model of this name (its parameter count is ``parameterCount``).
    public func makeModel() -> Model {
        switch self {
        case .lenet: .lenet5()
        case .mlp: .mlp(inputSize: 784, hidden: [200], outputCount: 10)
        case .logistic: .logisticRegression(inputSize: 784, classCount: 10)
        }
    }
}
