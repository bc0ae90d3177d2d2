import Foundation
import SeededRandom
import Testing
@testable import NeuralEngine

/// The engine's two product orders (Products.swift): the reference is a product (against a
/// triple loop in Double, to rounding), and every vector path this CPU runs gives its bits,
/// for shapes that cover every tile remainder, both orientations of A, both ways of starting
/// (from C or from +0), and inputs with ±0, ±Inf and NaN.
@Suite("Products")
struct ProductTests {
    /// A shape: C is m × n, the sum runs over k; `transposesA` (chain order only) and the
    /// starting point. Described briefly, so a failure names it without the matrices.
    struct Shape: CustomTestStringConvertible, Sendable {
        var m: Int, n: Int, k: Int, transposesA: Bool, accumulates: Bool, seed: UInt64
        var testDescription: String {
            "\(m)×\(n), k \(k)\(transposesA ? ", Aᵀ" : "")\(accumulates ? ", adding" : ""), seed \(seed)"
        }
    }

    /// LeNet's products on a micro-batch of 4 and a spread of awkward shapes.
    static let shapes: [Shape] = {
        var generator = SeededGenerator(seed: 77)
        var shapes = [
            Shape(m: 16, n: 400, k: 150, transposesA: false, accumulates: true, seed: 1),    // conv2 forward
            Shape(m: 150, n: 400, k: 16, transposesA: true, accumulates: false, seed: 2),    // conv2 column gradient
            Shape(m: 6, n: 3136, k: 25, transposesA: false, accumulates: true, seed: 3),     // conv1 forward
            Shape(m: 120, n: 400, k: 4, transposesA: true, accumulates: true, seed: 4),      // dense ∂W
            Shape(m: 4, n: 84, k: 120, transposesA: false, accumulates: false, seed: 5),     // dense ∂X
        ]
        for index in 0..<40 {
            shapes.append(Shape(m: 1 + generator.nextIndex(below: 13), n: 1 + generator.nextIndex(below: 90),
                                k: generator.nextIndex(below: 70), transposesA: generator.nextIndex(below: 2) == 1,
                                accumulates: generator.nextIndex(below: 2) == 1, seed: UInt64(100 + index)))
        }
        return shapes
    }()

    /// Mostly normals, with small integers (exact sums, ties), signed zeros and a few specials.
    static func values(_ count: Int, _ generator: inout SeededGenerator, specials: Bool) -> [Float] {
        let special: [Float] = [0, -0.0, .infinity, -.infinity, .nan]
        return (0..<count).map { _ in
            switch generator.nextIndex(below: 40) {
            case 0 where specials: special[generator.nextIndex(below: special.count)]
            case 1, 2, 3: Float(generator.nextIndex(below: 5)) - 2
            case 4: generator.nextIndex(below: 2) == 0 ? 0 : -0.0
            default: Float(generator.nextNormal())
            }
        }
    }

    struct Operands {
        var a: [Float], lda: Int, b: [Float], ldb: Int, c: [Float], ldc: Int
    }

    /// Operands for the chain order (B is k × n) or the lane order (B is n × k), with padded
    /// row strides, so a kernel that reads or writes past a row shows.
    static func operands(_ s: Shape, lane: Bool, specials: Bool) -> Operands {
        var generator = SeededGenerator(seed: s.seed)
        let aRows = lane || !s.transposesA ? s.m : s.k, aColumns = lane || !s.transposesA ? s.k : s.m
        let bRows = lane ? s.n : s.k, bColumns = lane ? s.k : s.n
        let lda = aColumns + 3, ldb = bColumns + 2, ldc = s.n + 1
        return Operands(a: values(max(1, aRows * lda), &generator, specials: specials), lda: lda,
                        b: values(max(1, bRows * ldb), &generator, specials: specials), ldb: ldb,
                        c: values(s.m * ldc, &generator, specials: specials), ldc: ldc)
    }

    static func run(_ s: Shape, lane: Bool, _ o: Operands, _ path: KernelPath) -> [Float] {
        var c = o.c
        o.a.withUnsafeBufferPointer { a in
            o.b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    if lane {
                        laneProduct(path, m: s.m, n: s.n, k: s.k, a.baseAddress!, lda: o.lda, b.baseAddress!, ldb: o.ldb,
                                    c.baseAddress!, ldc: o.ldc, accumulates: s.accumulates)
                    } else {
                        chainProduct(path, transposesA: s.transposesA, m: s.m, n: s.n, k: s.k, a.baseAddress!, lda: o.lda,
                                     b.baseAddress!, ldb: o.ldb, c.baseAddress!, ldc: o.ldc, accumulates: s.accumulates)
                    }
                }
            }
        }
        return c
    }

    @Test(arguments: shapes)
    func theReferenceIsTheProductToRounding(_ s: Shape) {
        for lane in [false, true] {
            let o = Self.operands(s, lane: lane, specials: false)
            let c = Self.run(s, lane: lane, o, .reference)
            for i in 0..<s.m {
                for j in 0..<s.n {
                    var sum = s.accumulates ? Double(o.c[i * o.ldc + j]) : 0
                    var magnitude = abs(sum)
                    for p in 0..<s.k {
                        let x = lane || !s.transposesA ? o.a[i * o.lda + p] : o.a[p * o.lda + i]
                        let y = lane ? o.b[j * o.ldb + p] : o.b[p * o.ldb + j]
                        sum += Double(x) * Double(y)
                        magnitude += abs(Double(x) * Double(y))
                    }
                    let error = abs(Double(c[i * o.ldc + j]) - sum)
                    #expect(error <= Double(s.k + 2) * 0x1p-24 * magnitude, "\(lane ? "lane" : "chain") (\(i), \(j))")
                }
            }
            // The padding between rows is never written.
            for i in 0..<s.m {
                for j in s.n..<o.ldc { #expect(c[i * o.ldc + j].bitPattern == o.c[i * o.ldc + j].bitPattern) }
            }
        }
    }

    /// The order itself, one entry written out: the chain adds each product to the running
    /// value with one rounding (so it differs from a product then a sum), and the lane order
    /// keeps sixteen chains: the 17th product goes to lane 0.
    @Test func theOrdersAreTheDefinedOnes() {
        // fma(3, 1/3, −1) keeps the product's rounding error that 3 · (1/3) − 1 loses.
        let third: Float = 1.0 / 3
        var chain: [Float] = [-1]
        chainProduct(.reference, transposesA: false, m: 1, n: 1, k: 1, [3], lda: 1, [third], ldb: 1, &chain, ldc: 1,
                     accumulates: true)
        #expect(chain[0] == (-1 as Float).addingProduct(3, third))
        #expect(chain[0] != 3 * third - 1)
        // Seventeen products: 1e8 in lane 0, then 1 in lanes 1…15, then −1e8 back in lane 0:
        // lane 0 cancels exactly and the fifteen ones survive; one chain would lose them.
        var a = [Float](repeating: 1, count: 17)
        a[0] = 1e8
        a[16] = -1e8
        let b = [Float](repeating: 1, count: 17)
        var lane: [Float] = [0]
        laneProduct(.reference, m: 1, n: 1, k: 17, a, lda: 17, b, ldb: 17, &lane, ldc: 1, accumulates: false)
        #expect(lane[0] == 15)
    }

    @Test(.enabled(if: KernelPath.avx2.isAvailable, "this CPU lacks AVX2 with FMA"), arguments: shapes)
    func theAVX2PathGivesTheReferenceBits(_ s: Shape) {
        Self.expectReferenceBits(s, .avx2)
    }

    @Test(.enabled(if: KernelPath.avx512.isAvailable, "this CPU lacks AVX-512"), arguments: shapes)
    func theAVX512PathGivesTheReferenceBits(_ s: Shape) {
        Self.expectReferenceBits(s, .avx512)
    }

    static func expectReferenceBits(_ s: Shape, _ path: KernelPath) {
        for lane in [false, true] {
            for specials in [false, true] {
                let o = operands(s, lane: lane, specials: specials)
                // Every NaN counts as one: which operand's payload an FMA passes on is the
                // instruction's business, not the order's.
                let expected = run(s, lane: lane, o, .reference).map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern }
                let actual = run(s, lane: lane, o, path).map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern }
                let differing = zip(expected, actual).filter { $0 != $1 }.count
                #expect(differing == 0, "\(lane ? "lane" : "chain") order, specials \(specials): \(differing) entries differ")
            }
        }
    }
}
