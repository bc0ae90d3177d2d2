/// The shape of one sample's activation: `channels × height × width`.
///
/// A flat feature vector of n values is `TensorShape(channels: n, height: 1, width: 1)`.
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    /// Feature maps (or features, for a flat vector).
    public var channels: Int
    /// Rows of each feature map.
    public var height: Int
    /// Columns of each feature map.
    public var width: Int

    /// A `channels × height × width` shape.
    /// - Precondition: every extent is positive.
    public init(channels: Int, height: Int, width: Int) {
        precondition(channels > 0 && height > 0 && width > 0, "tensor extents must be positive")
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// A flat vector of `count` features.
    public init(flat count: Int) {
        self.init(channels: count, height: 1, width: 1)
    }

    /// Values per sample: `channels · height · width`.
    public var count: Int { channels * height * width }

    /// Values per feature map: `height · width`.
    public var planeSize: Int { height * width }

    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// How a batch of activations is laid out in memory.
///
/// Inputs, dense layers and losses use `.batchMajor`, `[batch][features]`, one sample
/// per row. Convolution and pooling use `.channelMajor`, `[channels][height][width][batch]`,
/// so that one GEMM convolves the whole batch: `output[Cout × (Ho·Wo·B)] =
/// W[Cout × (Cin·k·k)] · columns[(Cin·k·k) × (Ho·Wo·B)]` lands in that layout directly,
/// and im2col copies runs of `Wo · B` floats. With one sample the two layouts are the
/// same bytes.
enum ActivationLayout: Sendable, Hashable {
    case batchMajor
    case channelMajor
}
