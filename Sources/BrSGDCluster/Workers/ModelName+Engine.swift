import BrSGDRecords
import NeuralEngine

extension ModelName {
    /// The engine's model of this name (its parameter count is ``parameterCount``).
    /// - Precondition: ``isBuiltIn``: the `parameters` model is a vector that only its
    ///   workers know, which the engine cannot build (callers refuse such an experiment first).
    public func makeModel() -> Model {
        switch self {
        case .lenet: .lenet5()
        case .mlp: .mlp(inputSize: 784, hidden: [200], outputCount: 10)
        case .logistic: .logisticRegression(inputSize: 784, classCount: 10)
        case .byzflCNN: .byzflCNN()
        case .parameters: preconditionFailure("the parameters model has no engine model; check isBuiltIn first")
        }
    }
}
