import Foundation
import SeededRandom
import TestSupport
import Testing
@testable import NeuralEngine

/// The unsafe kernels against naive references.
@Suite("Kernels")
struct KernelTests {
    /// Every column entry of `g`, in the order of the column rows `(c, u, v)`, then the
    /// output pixels `(i, j)`, then the batch: its index in the column matrix and the index
    /// of the input value it copies (`[C][H][W][B]`), nil where that lies in the padding.
    func forEachColumnEntry(_ g: ConvolutionGeometry, _ body: (_ column: Int, _ input: Int?) -> Void) {
        let k = g.kernelSize
        for c in 0..<g.channels {
            for u in 0..<k {
                for v in 0..<k {
                    for i in 0..<g.outputHeight {
                        for j in 0..<g.outputWidth {
                            let h = i * g.stride - g.padding + u, w = j * g.stride - g.padding + v
                            let inside = h >= 0 && h < g.height && w >= 0 && w < g.width
                            for b in 0..<g.batchSize {
                                let row = (c * k + u) * k + v, column = (i * g.outputWidth + j) * g.batchSize + b
                                body(row * g.columnWidth + column,
                                     inside ? ((c * g.height + h) * g.width + w) * g.batchSize + b : nil)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Naive im2col straight from the definition, on a `[C][H][W][B]` batch.
    func referenceIm2col(_ x: [Float], _ g: ConvolutionGeometry) -> [Float] {
        var columns = [Float](repeating: 0, count: g.columnRows * g.columnWidth)
        forEachColumnEntry(g) { column, input in columns[column] = input.map { x[$0] } ?? 0 }
        return columns
    }

    /// Naive col2im: each column entry added to its pixel (starting from 0), column rows
    /// `(c, u, v)` in order, as the fast kernel promises, so the two agree to the bit.
    func referenceCol2im(_ columns: [Float], _ g: ConvolutionGeometry) -> [Float] {
        var x = [Float](repeating: 0, count: g.channels * g.height * g.width * g.batchSize)
        forEachColumnEntry(g) { column, input in
            if let input { x[input] += columns[column] }
        }
        return x
    }

    static let geometries: [ConvolutionGeometry] = [
        ConvolutionGeometry(channels: 1, batchSize: 2, height: 6, width: 6, kernelSize: 5, padding: 2, stride: 1),
        ConvolutionGeometry(channels: 3, batchSize: 2, height: 7, width: 5, kernelSize: 3, padding: 0, stride: 2),
        ConvolutionGeometry(channels: 2, batchSize: 1, height: 4, width: 5, kernelSize: 3, padding: 3, stride: 2),
        ConvolutionGeometry(channels: 2, batchSize: 3, height: 3, width: 3, kernelSize: 1, padding: 0, stride: 1),
        // LeNet's two convolutions on a micro-batch of 4; a kernel wider than the padded
        // image leaves whole column rows outside it; stride 3 with padding 4.
        ConvolutionGeometry(channels: 1, batchSize: 4, height: 28, width: 28, kernelSize: 5, padding: 2, stride: 1),
        ConvolutionGeometry(channels: 6, batchSize: 4, height: 14, width: 14, kernelSize: 5, padding: 0, stride: 1),
        ConvolutionGeometry(channels: 2, batchSize: 3, height: 3, width: 4, kernelSize: 5, padding: 1, stride: 1),
        ConvolutionGeometry(channels: 2, batchSize: 3, height: 6, width: 4, kernelSize: 2, padding: 4, stride: 3),
    ]

    @Test(arguments: geometries)
    func im2colMatchesDefinitionAndCol2imIsItsAdjoint(_ g: ConvolutionGeometry) {
        var generator = SeededGenerator(seed: 2)
        let x = normals(g.channels * g.batchSize * g.height * g.width, using: &generator)
        var columns = [Float](repeating: .nan, count: g.columnRows * g.columnWidth)
        x.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, $0.baseAddress!, g) }
        }
        #expect(columns == referenceIm2col(x, g))

        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for every x, c.
        let c = normals(columns.count, using: &generator)
        var folded = [Float](repeating: .nan, count: x.count)
        c.withUnsafeBufferPointer { c in
            folded.withUnsafeMutableBufferPointer { col2im(c.baseAddress!, $0.baseAddress!, g) }
        }
        #expect(bitwiseDifference(folded, referenceCol2im(c, g)) == nil)
        let left = zip(columns, c).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x, folded).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) <= 1e-4 * max(1, abs(left)))
    }

    /// 3 × 4 and 9 × 6: whole 4 × 4 blocks (inner 1), ragged rows and columns, and none.
    @Test(arguments: [(1, 3, 4), (2, 3, 4), (5, 3, 4), (1, 9, 6), (1, 4, 8), (1, 1, 3)])
    func swapLeadingAxesTransposes(inner: Int, a: Int, b: Int) {
        let src = (0..<(a * b * inner)).map(Float.init)
        var dst = [Float](repeating: .nan, count: src.count)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { swapLeadingAxes(s.baseAddress!, $0.baseAddress!, a: a, b: b, inner: inner) }
        }
        for i in 0..<a {
            for j in 0..<b {
                for r in 0..<inner { #expect(dst[(j * a + i) * inner + r] == src[(i * b + j) * inner + r]) }
            }
        }
    }

    @Test(arguments: [0, 1, 7, 8, 9, 100])
    func sumMatchesReference(count: Int) {
        var generator = SeededGenerator(seed: 3)
        let x = normals(count, using: &generator)
        let expected = x.reduce(0.0) { $0 + Double($1) }
        let actual = x.withUnsafeBufferPointer { sum($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: count) }
        #expect(abs(Double(actual) - expected) <= 1e-5 * max(1, abs(expected)))
    }

    /// Four rows at a time and the rows left over, with and without a tail after the last
    /// eight columns, written and added: each row's total has the bits of `sum` on it alone.
    @Test(arguments: [(1, 8), (4, 3136), (6, 3136), (16, 400), (7, 13), (5, 0)])
    func rowSumsGiveEachRowsSumBits(rows: Int, count: Int) {
        var generator = SeededGenerator(seed: 4)
        let stride = count + 3
        let x = normals(rows * stride, scale: 100, using: &generator)
        let before = normals(rows, using: &generator)
        for accumulates in [false, true] {
            var out = before
            x.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { out in
                    storeRowSums(x.baseAddress!, rows: rows, stride: stride, count: count, into: out.baseAddress!,
                                 accumulates: accumulates)
                }
            }
            let expected = (0..<rows).map { r in
                let total = x.withUnsafeBufferPointer { sum($0.baseAddress! + r * stride, count: count) }
                return accumulates ? before[r] + total : total
            }
            #expect(bitwiseDifference(out, expected) == nil, "accumulates: \(accumulates)")
        }
    }

    @Test func squaredErrorAndCountCorrectMatchDefinitions() {
        let outputs: [Float] = [1, 2, 2, 0.5, 3, 3]
        let targets: [Float] = [0, 2, 4, 0.5, 1, 1]
        var gradient = [Float](repeating: .nan, count: 6)
        let total = outputs.withUnsafeBufferPointer { y in
            targets.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in
                    squaredError(outputs: y.baseAddress!, targets: t.baseAddress!, count: 6, scale: 0.5,
                                 gradient: g.baseAddress!)
                }
            }
        }
        #expect(total == 0.5 * (1 + 0 + 4 + 0 + 4 + 4))
        #expect(gradient == [0.5, 0, -1, 0, 1, 1])

        // Rows of three logits; ties go to the first largest, as argmax does.
        let labels: [Int32] = [1, 0]
        let correct = outputs.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                countCorrect(logits: z.baseAddress!, labels: y.baseAddress!, batchSize: 2, classCount: 3)
            }
        }
        #expect(correct == 1)  // row 0: argmax 1 (tie with 2) = label; row 1: argmax 1 ≠ 0
    }

    @Test func softmaxCrossEntropyMatchesDefinition() {
        let logits: [Float] = [1, 2, 3, -1, 0, 1000]
        let labels: [Int32] = [2, 0]
        var gradient = [Float](repeating: .nan, count: 6)
        let total = logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in
                    softmaxCrossEntropy(logits: z.baseAddress!, labels: y.baseAddress!, batchSize: 2, classCount: 3,
                                        scale: 0.5, gradient: g.baseAddress!)
                }
            }
        }
        let first = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
        let second = 1001.0  // log Σ exp ≈ 1000, minus z_0 = −1: stable for large logits
        #expect(abs(total - (first + second)) < 1e-4)
        let softmax = [exp(1.0), exp(2.0), exp(3.0)].map { $0 / (exp(1.0) + exp(2.0) + exp(3.0)) }
        #expect(abs(Double(gradient[0]) - 0.5 * softmax[0]) < 1e-6)
        #expect(abs(Double(gradient[2]) - 0.5 * (softmax[2] - 1)) < 1e-6)
        #expect(abs(gradient[3] - (-0.5)) < 1e-6 && gradient[5] == 0.5)
    }
}

@Suite("Row kernels")
struct RowKernelTests {
    @Test(arguments: Array(0...27))
    func copyAddAndZeroRowsTouchExactlyTheirRange(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count))
        let src = normals(count + 2, using: &generator)
        var copied = [Float](repeating: 7, count: count + 2)
        var added = [Float](repeating: 1, count: count + 2)
        var zeroed = [Float](repeating: 5, count: count + 2)
        src.withUnsafeBufferPointer { s in
            copied.withUnsafeMutableBufferPointer { copyRow(s.baseAddress! + 1, $0.baseAddress! + 1, count: count) }
            added.withUnsafeMutableBufferPointer { addRow(s.baseAddress! + 1, $0.baseAddress! + 1, count: count) }
            zeroed.withUnsafeMutableBufferPointer { zeroRow($0.baseAddress! + 1, count: count) }
        }
        #expect(copied == [7] + src[1..<(count + 1)] + [7])
        #expect(added == [1] + src[1..<(count + 1)].map { $0 + 1 } + [1])
        #expect(zeroed == [5] + [Float](repeating: 0, count: count) + [5])
    }
}
