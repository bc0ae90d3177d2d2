/// One named piece of the flat parameter buffer, such as a layer's weight or bias.
public struct ParameterBlock: Sendable, Hashable {
    /// PyTorch's `state_dict` key for the same `nn.Sequential`: `"<layer index>.weight"`
    /// or `"<layer index>.bias"`.
    public var name: String
    /// The index of the layer it belongs to.
    public var layerIndex: Int
    /// Where it starts in the flat buffer.
    public var offset: Int
    /// Its shape, outermost first (`[out, in, kh, kw]`, `[out, in]` or `[out]`).
    public var shape: [Int]
    /// Its number of values.
    public var count: Int { shape.reduce(1, *) }
}

extension Model {
    /// The flat buffer's pieces in order, named as PyTorch names the parameters of an
    /// `nn.Sequential` with the same layers.
    /// - Complexity: O(layers).
    public var parameterBlocks: [ParameterBlock] {
        var blocks: [ParameterBlock] = []
        for (index, layer) in layers.enumerated() {
            let offset = parameterOffsets[index]
            switch layer {
            case .conv2D(let conv):
                let weight = [conv.outputChannels, conv.inputChannels, conv.kernelSize, conv.kernelSize]
                blocks.append(ParameterBlock(name: "\(index).weight", layerIndex: index, offset: offset, shape: weight))
                blocks.append(ParameterBlock(
                    name: "\(index).bias", layerIndex: index, offset: offset + conv.weightCount, shape: [conv.outputChannels]))
            case .dense(let dense):
                let weight = [dense.outputSize, dense.inputSize]
                blocks.append(ParameterBlock(name: "\(index).weight", layerIndex: index, offset: offset, shape: weight))
                blocks.append(ParameterBlock(
                    name: "\(index).bias", layerIndex: index, offset: offset + dense.weightCount, shape: [dense.outputSize]))
            case .maxPool2D, .relu, .tanh, .flatten:
                break
            }
        }
        return blocks
    }
}
