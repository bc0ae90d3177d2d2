// im2col and col2im for a channel-major batch, `[C][B][H][W]`, so that one GEMM
// convolves every image of the batch (Chellapilla, Puri & Simard 2006).

/// The geometry of one convolution over a batch.
struct ConvolutionGeometry {
    var channels: Int
    var batchSize: Int
    var height: Int
    var width: Int
    var kernelSize: Int
    var padding: Int
    var stride: Int

    var outputHeight: Int { (height + 2 * padding - kernelSize) / stride + 1 }
    var outputWidth: Int { (width + 2 * padding - kernelSize) / stride + 1 }
    /// Rows of the column matrix: `C · k · k`, ordered (c, ki, kj) like PyTorch's weights.
    var columnRows: Int { channels * kernelSize * kernelSize }
    /// Columns of the column matrix: `B · Ho · Wo`, ordered (b, oh, ow).
    var columnWidth: Int { batchSize * outputHeight * outputWidth }

    /// The output columns `ow` whose input column `ow·s − p + kj` lies inside `0..<width`.
    @inline(__always)
    func validOutputColumns(kj: Int) -> Range<Int> {
        // ow·s − p + kj ≥ 0  ⇔  ow ≥ ceil((p − kj) / s)
        let low = max(0, (padding - kj + stride - 1) / stride)
        // ow·s − p + kj ≤ width − 1  ⇔  ow ≤ floor((width − 1 + p − kj) / s)
        let top = width - 1 + padding - kj
        let high = top < 0 ? 0 : min(outputWidth, top / stride + 1)
        return low..<max(low, high)
    }
}

/// Unfolds `input` (`[C][B][H][W]`) into `columns` (`[C·k·k][B·Ho·Wo]`), zero outside.
///
/// `columns[(c·k + ki)·k + kj][(b·Ho + oh)·Wo + ow] = input[c][b][oh·s − p + ki][ow·s − p + kj]`.
/// - Complexity: O(C · k² · B · Ho · Wo).
func im2col(_ input: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
    let k = g.kernelSize, ho = g.outputHeight, wo = g.outputWidth
    let plane = g.height * g.width
    let rowLength = g.columnWidth
    for c in 0..<g.channels {
        for ki in 0..<k {
            for kj in 0..<k {
                let row = columns + ((c * k + ki) * k + kj) * rowLength
                let valid = g.validOutputColumns(kj: kj)
                for b in 0..<g.batchSize {
                    let image = input + (c * g.batchSize + b) * plane
                    for oh in 0..<ho {
                        let dst = row + (b * ho + oh) * wo
                        let ih = oh * g.stride - g.padding + ki
                        guard ih >= 0 && ih < g.height, !valid.isEmpty else {
                            zeroRow(dst, count: wo)
                            continue
                        }
                        zeroRow(dst, count: valid.lowerBound)
                        // Index arithmetic, not pointer arithmetic: `offset` may be negative.
                        let offset = ih * g.width - g.padding + kj
                        if g.stride == 1 {
                            copyRow(image + (offset + valid.lowerBound), dst + valid.lowerBound, count: valid.count)
                        } else {
                            for ow in valid { dst[ow] = image[offset + ow * g.stride] }
                        }
                        zeroRow(dst + valid.upperBound, count: wo - valid.upperBound)
                    }
                }
            }
        }
    }
}

/// Folds `columns` back onto `input` (the adjoint of `im2col`): every column entry is
/// added to the input pixel it was copied from. `input` is overwritten.
/// - Complexity: O(C · k² · B · Ho · Wo).
func col2im(_ columns: UnsafePointer<Float>, _ input: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
    let k = g.kernelSize, ho = g.outputHeight, wo = g.outputWidth
    let plane = g.height * g.width
    let rowLength = g.columnWidth
    input.update(repeating: 0, count: g.channels * g.batchSize * plane)
    for c in 0..<g.channels {
        for ki in 0..<k {
            for kj in 0..<k {
                let row = columns + ((c * k + ki) * k + kj) * rowLength
                let valid = g.validOutputColumns(kj: kj)
                if valid.isEmpty { continue }
                for b in 0..<g.batchSize {
                    let image = input + (c * g.batchSize + b) * plane
                    for oh in 0..<ho {
                        let ih = oh * g.stride - g.padding + ki
                        guard ih >= 0 && ih < g.height else { continue }
                        let src = row + (b * ho + oh) * wo
                        let offset = ih * g.width - g.padding + kj
                        if g.stride == 1 {
                            addRow(src + valid.lowerBound, image + (offset + valid.lowerBound), count: valid.count)
                        } else {
                            for ow in valid { image[offset + ow * g.stride] += src[ow] }
                        }
                    }
                }
            }
        }
    }
}
