/// The nonlinearity between the hidden layers of an MLP.
public enum Activation: String, Sendable, Hashable, CaseIterable {
    case relu
    case tanh

    var layer: Layer { self == .relu ? .relu : .tanh }
}

extension Model {
    /// A multilayer perceptron classifier: dense layers of the `hidden` widths, each
    /// followed by `activation`, then a dense layer to `outputCount` logits, trained with
    /// softmax cross-entropy (Rumelhart, Hinton & Williams 1986).
    /// - Precondition: `outputCount >= 2`, positive widths.
    public static func mlp(inputSize: Int, hidden: [Int], outputCount: Int, activation: Activation = .relu) -> Model {
        var layers: [Layer] = []
        var width = inputSize
        for size in hidden {
            layers.append(.dense(Dense(inputSize: width, outputSize: size)))
            layers.append(activation.layer)
            width = size
        }
        layers.append(.dense(Dense(inputSize: width, outputSize: outputCount)))
        return Model(inputShape: TensorShape(flat: inputSize), layers: layers, loss: .softmaxCrossEntropy)
    }

    /// Multinomial logistic regression: one dense layer to `classCount` logits with softmax
    /// cross-entropy, a convex objective.
    /// - Precondition: `classCount >= 2`.
    public static func logisticRegression(inputSize: Int, classCount: Int) -> Model {
        Model(
            inputShape: TensorShape(flat: inputSize),
            layers: [.dense(Dense(inputSize: inputSize, outputSize: classCount))],
            loss: .softmaxCrossEntropy)
    }

    /// Linear regression: one dense layer (weights and intercept) with the squared loss
    /// `½ ‖y − t‖²`, the paper's strongly convex case.
    public static func linearRegression(inputSize: Int, outputCount: Int = 1) -> Model {
        Model(
            inputShape: TensorShape(flat: inputSize),
            layers: [.dense(Dense(inputSize: inputSize, outputSize: outputCount))],
            loss: .squaredError)
    }
}
