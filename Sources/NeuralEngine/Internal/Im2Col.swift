// im2col and col2im for a channel-major batch with the batch innermost, `[C][H][W][B]`,
// so that one GEMM convolves every image of the batch (Chellapilla, Puri & Simard 2006)
// and each copied run is `Wo · B` floats long rather than `Wo`.

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
    /// Columns of the column matrix: `Ho · Wo · B`, ordered (oh, ow, b).
    var columnWidth: Int { outputHeight * outputWidth * batchSize }

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

/// Unfolds `input` (`[C][H][W][B]`) into `columns` (`[C·k·k][Ho·Wo·B]`), zero outside.
///
/// `columns[(c·k + ki)·k + kj][(oh·Wo + ow)·B + b] = input[c][oh·s − p + ki][ow·s − p + kj][b]`.
/// - Complexity: O(C · k² · Ho · Wo · B).
func im2col(_ input: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
    let k = g.kernelSize, ho = g.outputHeight, wo = g.outputWidth, batch = g.batchSize
    let channelSize = g.height * g.width * batch
    let rowLength = g.columnWidth
    let outputRow = wo * batch
    for c in 0..<g.channels {
        let image = input + c * channelSize
        for ki in 0..<k {
            for kj in 0..<k {
                let row = columns + ((c * k + ki) * k + kj) * rowLength
                let valid = g.validOutputColumns(kj: kj)
                for oh in 0..<ho {
                    let dst = row + oh * outputRow
                    let ih = oh * g.stride - g.padding + ki
                    guard ih >= 0 && ih < g.height, !valid.isEmpty else {
                        zeroRow(dst, count: outputRow)
                        continue
                    }
                    zeroRow(dst, count: valid.lowerBound * batch)
                    // Index arithmetic, not pointer arithmetic: the first pixel may lie left of the image.
                    let pixel = ih * g.width - g.padding + kj
                    if g.stride == 1 {
                        copyRow(image + (pixel + valid.lowerBound) * batch, dst + valid.lowerBound * batch,
                                count: valid.count * batch)
                    } else {
                        for ow in valid {
                            copyRow(image + (pixel + ow * g.stride) * batch, dst + ow * batch, count: batch)
                        }
                    }
                    zeroRow(dst + valid.upperBound * batch, count: (wo - valid.upperBound) * batch)
                }
            }
        }
    }
}

/// Folds `columns` back onto `input` (the adjoint of `im2col`): every column entry is
/// added to the input pixel it was copied from. `input` is overwritten.
/// - Complexity: O(C · k² · Ho · Wo · B).
func col2im(_ columns: UnsafePointer<Float>, _ input: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
    let k = g.kernelSize, ho = g.outputHeight, batch = g.batchSize
    let channelSize = g.height * g.width * batch
    let rowLength = g.columnWidth
    let outputRow = g.outputWidth * batch
    input.update(repeating: 0, count: g.channels * channelSize)
    for c in 0..<g.channels {
        let image = input + c * channelSize
        for ki in 0..<k {
            for kj in 0..<k {
                let row = columns + ((c * k + ki) * k + kj) * rowLength
                let valid = g.validOutputColumns(kj: kj)
                if valid.isEmpty { continue }
                for oh in 0..<ho {
                    let ih = oh * g.stride - g.padding + ki
                    guard ih >= 0 && ih < g.height else { continue }
                    let src = row + oh * outputRow
                    let pixel = ih * g.width - g.padding + kj
                    if g.stride == 1 {
                        addRow(src + valid.lowerBound * batch, image + (pixel + valid.lowerBound) * batch,
                               count: valid.count * batch)
                    } else {
                        for ow in valid {
                            addRow(src + ow * batch, image + (pixel + ow * g.stride) * batch, count: batch)
                        }
                    }
                }
            }
        }
    }
}
