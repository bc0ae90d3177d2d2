/// One layer of a `Model`: a value describing what it computes. The model places its
/// parameters in the flat buffer and the workspace owns its activations.
public enum Layer: Sendable, Hashable {
    case conv2D(Conv2D)
    case maxPool2D(MaxPool2D)
    case dense(Dense)
    case relu
    case tanh
    case flatten

    /// Trainable parameters of this layer (0 for parameter-free layers).
    public var parameterCount: Int {
        switch self {
        case .conv2D(let conv): conv.parameterCount
        case .dense(let dense): dense.parameterCount
        case .maxPool2D, .relu, .tanh, .flatten: 0
        }
    }

    /// The shape one sample has after this layer.
    public func outputShape(for input: TensorShape) -> TensorShape {
        switch self {
        case .conv2D(let conv): conv.outputShape(for: input)
        case .maxPool2D(let pool): pool.outputShape(for: input)
        case .dense(let dense): dense.outputShape(for: input)
        case .relu, .tanh: input
        case .flatten: Flatten().outputShape(for: input)
        }
    }

    /// PyTorch's fan-in of the layer's weight, which sets its default initialisation bound.
    var fanIn: Int? {
        switch self {
        case .conv2D(let conv): conv.fanIn
        case .dense(let dense): dense.fanIn
        case .maxPool2D, .relu, .tanh, .flatten: nil
        }
    }

    /// Whether the layer works on channel-major (`[C][H][W][B]`) batches.
    var isSpatial: Bool {
        switch self {
        case .conv2D, .maxPool2D: true
        default: false
        }
    }
}
