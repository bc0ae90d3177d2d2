/// A network architecture: an input shape, a chain of layers and a loss. All parameters
/// live in one flat `[Float]` of `parameterCount` values that the layers view by offset,
/// and a gradient has exactly the same layout, so a worker's gradient is one row of the
/// master's m × d gradient matrix.
///
/// ```swift
/// let model = Model.lenet5()
/// var parameters = model.initialParameters(seed: 1)      // 61,706 floats
/// let workspace = Workspace(model: model, maxBatchSize: 32)
/// let loss = model.lossAndGradient(parameters: …, inputs: …, labels: …, batchSize: 32,
///                                  gradient: row, workspace: workspace)
/// ```
///
/// ## Flat parameter layout
/// Layer by layer in order; within a layer the weight, then the bias. A `Conv2D` weight
/// is `[out][in][kh][kw]` and a `Dense` weight is `[out][in]`, both as PyTorch stores
/// them, so the flat buffer is PyTorch's `state_dict` of the same `nn.Sequential`
/// concatenated in order (`parameterBlocks` names each piece).
public struct Model: Sendable, Hashable {
    /// The shape of one input sample; inputs are `batch × inputShape.count`, row-major.
    public let inputShape: TensorShape
    /// The layers, applied in order.
    public let layers: [Layer]
    /// The objective on the last layer's outputs.
    public let loss: Loss
    /// Where each layer's parameters start in the flat buffer (its parameter count ends it).
    public let parameterOffsets: [Int]
    /// The input shape of each layer.
    public let layerInputShapes: [TensorShape]
    /// The shape of each layer's output.
    public let layerOutputShapes: [TensorShape]
    /// The total number of trainable parameters, d.
    public let parameterCount: Int

    /// The memory layout of each layer's input batch.
    let layerInputLayouts: [ActivationLayout]
    /// Whether the input is transposed to channel-major before the first (spatial) layer.
    let transposesInput: Bool
    /// The first layer with parameters: backward stops there.
    let firstTrainableLayer: Int
    /// For each layer, whether it is a ReLU that the 2 × 2 max-pooling after it computes in
    /// the same pass (``MaxPool2D/forwardAfterReLU(input:inputShape:batchSize:output:argmax:)``),
    /// forward and backward, when every value would go through ReLU's vector steps: the
    /// same bytes, without writing or reading the ReLU's output (LeNet: both ReLUs after
    /// its convolutions). All false without ``usesFastPaths``.
    let reluFusedIntoPooling: [Bool]
    /// Whether the engine fuses a ReLU into the pooling after it (``reluFusedIntoPooling``),
    /// which gives the bytes of the plain layer-by-layer computation.
    /// Always true but in the tests that compare the two.
    let usesFastPaths: Bool

    /// A model from its layers.
    ///
    /// Convolution and pooling work on channel-major batches and dense layers on
    /// batch-major ones; put a `.flatten` between them.
    /// - Precondition: at least one layer has parameters; the layer shapes chain;
    ///   `.flatten` separates spatial and dense
    ///   layers; the last layer is batch-major; a `.softmaxCrossEntropy` model has at
    ///   least two outputs.
    public init(inputShape: TensorShape, layers: [Layer], loss: Loss) {
        self.init(inputShape: inputShape, layers: layers, loss: loss, usesFastPaths: true)
    }

    /// `init(inputShape:layers:loss:)`, computed layer by layer without the fast paths
    /// when `usesFastPaths` is false (the tests compare the two, to the bit).
    init(inputShape: TensorShape, layers: [Layer], loss: Loss, usesFastPaths: Bool) {
        precondition(!layers.isEmpty, "a model needs at least one layer")
        var shape = inputShape
        var layout: ActivationLayout = layers[0].isSpatial ? .channelMajor : .batchMajor
        var offset = 0
        var offsets: [Int] = [], inputShapes: [TensorShape] = [], outputShapes: [TensorShape] = []
        var inputLayouts: [ActivationLayout] = []
        for layer in layers {
            switch layer {
            case .conv2D, .maxPool2D:
                precondition(layout == .channelMajor, "\(layer) must follow the input or another spatial layer")
            case .dense:
                precondition(layout == .batchMajor, "put a .flatten before \(layer)")
            case .relu, .tanh, .flatten:
                break
            }
            offsets.append(offset)
            inputShapes.append(shape)
            inputLayouts.append(layout)
            offset += layer.parameterCount
            shape = layer.outputShape(for: shape)
            outputShapes.append(shape)
            if case .flatten = layer { layout = .batchMajor }
        }
        precondition(layout == .batchMajor, "a model must end with a flat output (add .flatten)")
        precondition(offset > 0, "a model needs at least one layer with parameters")
        precondition(loss != .softmaxCrossEntropy || shape.count >= 2, "classification needs at least two classes")
        self.inputShape = inputShape
        self.layers = layers
        self.loss = loss
        self.parameterOffsets = offsets
        self.layerInputShapes = inputShapes
        self.layerOutputShapes = outputShapes
        self.layerInputLayouts = inputLayouts
        self.parameterCount = offset
        self.transposesInput = layers[0].isSpatial
        self.firstTrainableLayer = layers.firstIndex { $0.parameterCount > 0 } ?? layers.count
        self.reluFusedIntoPooling = layers.indices.map { index in
            guard usesFastPaths, case .relu = layers[index], index + 1 < layers.count,
                  case .maxPool2D(let pool) = layers[index + 1] else { return false }
            return pool.isTwoByTwo
        }
        self.usesFastPaths = usesFastPaths
    }

    /// Values per input sample.
    public var inputSize: Int { inputShape.count }

    /// Outputs per sample: classes for classification, targets for regression.
    public var outputCount: Int { layerOutputShapes[layerOutputShapes.count - 1].count }
}
