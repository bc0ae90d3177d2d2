import CNeuralKernels
import KernelPaths

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
        validOutputs(tap: kj, inputExtent: width, outputExtent: outputWidth)
    }

    /// The output rows `oh` whose input row `oh·s − p + ki` lies inside `0..<height`.
    @inline(__always)
    func validOutputRows(ki: Int) -> Range<Int> {
        validOutputs(tap: ki, inputExtent: height, outputExtent: outputHeight)
    }

    /// The outputs `o` along one axis whose input `o·s − p + tap` lies inside `0..<inputExtent`.
    @inline(__always)
    private func validOutputs(tap: Int, inputExtent: Int, outputExtent: Int) -> Range<Int> {
        // o·s − p + tap ≥ 0  ⇔  o ≥ ceil((p − tap) / s)
        let low = max(0, (padding - tap + stride - 1) / stride)
        // o·s − p + tap ≤ extent − 1  ⇔  o ≤ floor((extent − 1 + p − tap) / s)
        let top = inputExtent - 1 + padding - tap
        let high = top < 0 ? 0 : min(outputExtent, top / stride + 1)
        return low..<max(low, high)
    }
}

extension ConvolutionGeometry {
    /// Whether `kernel`, a `CNeuralKernels` function given this geometry's channels, height,
    /// width, batch size, kernel size and padding, ran: only on the AVX-512 path, for stride 1
    /// (the function returns 0 on a CPU without AVX-512). The Swift kernels run otherwise: they
    /// only move and add values, in the same order, so every path has the same bits.
    @inline(__always)
    func ranInC(_ kernels: KernelPath, _ kernel: (Int32, Int32, Int32, Int32, Int32, Int32) -> Int32) -> Bool {
        kernels == .avx512 && stride == 1
            && kernel(Int32(channels), Int32(height), Int32(width), Int32(batchSize), Int32(kernelSize),
                      Int32(padding)) != 0
    }
}

/// Unfolds `input` (`[C][H][W][B]`) into `columns` (`[C·k·k][Ho·Wo·B]`), zero outside.
///
/// `columns[(c·k + ki)·k + kj][(oh·Wo + ow)·B + b] = input[c][oh·s − p + ki][ow·s − p + kj][b]`.
/// Each column row is written once, front to back: the output rows above and below the
/// image as zeros, and each output row inside it as a zero lead, one copied run of
/// `valid · B` floats (stride 1) and a zero tail, every bound worked out once per
/// `(ki, kj)` rather than per output row.
/// With stride 1 on an AVX-512 CPU, `brsgd_im2col_stride1` (CNeuralKernels) writes the same
/// values, 16 at a time: each run copied in whole vectors, the zero lead and tail stored with
/// a mask.
/// - Complexity: O(C · k² · Ho · Wo · B).
func im2col(_ input: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry,
            kernels: KernelPath = .selected) {
    if g.ranInC(kernels, { brsgd_im2col_stride1(input, columns, $0, $1, $2, $3, $4, $5) }) { return }
    let k = g.kernelSize, ho = g.outputHeight, wo = g.outputWidth, batch = g.batchSize
    let width = g.width, stride = g.stride, padding = g.padding
    let channelSize = g.height * width * batch
    let rowLength = g.columnWidth
    let outputRow = wo * batch
    for c in 0..<g.channels {
        let image = input + c * channelSize
        for ki in 0..<k {
            let rows = g.validOutputRows(ki: ki)
            for kj in 0..<k {
                let row = columns + ((c * k + ki) * k + kj) * rowLength
                let valid = g.validOutputColumns(kj: kj)
                guard !valid.isEmpty && !rows.isEmpty else {
                    zeroRow(row, count: rowLength)
                    continue
                }
                let lead = valid.lowerBound * batch, run = valid.count * batch
                let tail = (wo - valid.upperBound) * batch
                zeroRow(row, count: rows.lowerBound * outputRow)
                // The index of pixel (oh·s − p + ki, −p + kj) for the first valid oh: an index,
                // not a pointer, as that pixel may lie left of the image; valid ow lie inside.
                let first = ((rows.lowerBound &* stride &- padding &+ ki) &* width &- padding &+ kj) &* batch
                let step = stride &* width &* batch
                if stride == 1 {
                    for t in 0..<rows.count {
                        let dst = row + (rows.lowerBound &+ t) &* outputRow
                        if lead > 0 { zeroRow(dst, count: lead) }
                        copyRow(image + (first &+ t &* step &+ lead), dst + lead, count: run)
                        if tail > 0 { zeroRow(dst + (lead &+ run), count: tail) }
                    }
                } else {
                    for t in 0..<rows.count {
                        let dst = row + (rows.lowerBound &+ t) &* outputRow
                        let start = first &+ t &* step
                        if lead > 0 { zeroRow(dst, count: lead) }
                        for ow in valid {
                            copyRow(image + (start &+ ow &* stride &* batch), dst + ow &* batch, count: batch)
                        }
                        if tail > 0 { zeroRow(dst + (lead &+ run), count: tail) }
                    }
                }
                zeroRow(row + rows.upperBound * outputRow, count: (ho - rows.upperBound) * outputRow)
            }
        }
    }
}

/// Folds `columns` back onto `input` (the adjoint of `im2col`): every column entry is
/// added to the input pixel it was copied from. `input` is overwritten.
///
/// Each pixel receives its entries in the order of the column rows `(c, ki, kj)`, added to
/// 0 one after another; the bounds are worked out once per `(ki, kj)`. With stride 1 on the
/// AVX-512 path, `brsgd_col2im_stride1` (CNeuralKernels) makes the same additions in the same
/// order, 16 pixels at a time, each input row summed in registers and stored once.
/// - Complexity: O(C · k² · Ho · Wo · B).
func col2im(_ columns: UnsafePointer<Float>, _ input: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry,
            kernels: KernelPath = .selected) {
    if g.ranInC(kernels, { brsgd_col2im_stride1(columns, input, $0, $1, $2, $3, $4, $5) }) { return }
    let k = g.kernelSize, batch = g.batchSize
    let width = g.width, stride = g.stride, padding = g.padding
    let channelSize = g.height * width * batch
    let rowLength = g.columnWidth
    let outputRow = g.outputWidth * batch
    input.update(repeating: 0, count: g.channels * channelSize)
    for c in 0..<g.channels {
        let image = input + c * channelSize
        for ki in 0..<k {
            let rows = g.validOutputRows(ki: ki)
            for kj in 0..<k {
                let row = columns + ((c * k + ki) * k + kj) * rowLength
                let valid = g.validOutputColumns(kj: kj)
                if valid.isEmpty { continue }
                let run = valid.count * batch
                let first = ((rows.lowerBound &* stride &- padding &+ ki) &* width &- padding &+ kj) &* batch
                let step = stride &* width &* batch
                if stride == 1 {
                    for t in 0..<rows.count {
                        let src = row + ((rows.lowerBound &+ t) &* outputRow &+ valid.lowerBound &* batch)
                        addRow(src, image + (first &+ t &* step &+ valid.lowerBound &* batch), count: run)
                    }
                } else {
                    for t in 0..<rows.count {
                        let src = row + (rows.lowerBound &+ t) &* outputRow
                        let start = first &+ t &* step   // an index (see im2col)
                        for ow in valid {
                            addRow(src + ow &* batch, image + (start &+ ow &* stride &* batch), count: batch)
                        }
                    }
                }
            }
        }
    }
}
