import Testing
import CAggregationKernels
import SeededRandom
@testable import RobustAggregation

/// The fused and tiled kernels against the kernels they replaced (PreviousKernels.swift) and
/// the written-out networks against the run-time ones: the same bits, not merely close values.
/// Inputs include ±0 (which the networks may order either way), ties, huge rows, non-finite
/// rows, row counts 1…50, and shapes crossing the 16-lane and 8,192-column boundaries.
@Suite struct KernelEqualityTests {
    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
    static func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    /// Random matrices, some with integer ties, signed zeros and a huge row.
    static func matrix(m: Int, d: Int, seed: UInt64) -> GradientMatrix {
        var rng = SeededGenerator(seed: seed)
        var g = GradientMatrix(rowCount: m, columnCount: d)
        let style = rng.nextIndex(below: 3)
        for i in 0 ..< m {
            for c in 0 ..< d {
                switch style {
                case 0: g[i, c] = Float(rng.nextNormal())
                case 1: g[i, c] = Float(rng.nextIndex(below: 5)) - 2          // ties
                default: g[i, c] = rng.nextIndex(below: 2) == 0 ? 0 : -0.0    // only ±0
                }
            }
        }
        if m >= 4 && rng.nextUnitDouble() < 0.5 {
            for c in 0 ..< d { g[m - 1, c] *= 1e10 }
        }
        return g
    }

    static let shapes: [(m: Int, d: Int)] = [
        (1, 17), (2, 33), (3, 8192), (5, 8200), (7, 100), (12, 8192 + 16 * 3 + 5), (19, 700),
        (20, 16_400), (21, 64), (32, 90), (33, 80), (40, 48), (49, 40), (50, 35),
    ]

    static var inputs: [GradientMatrix] {
        shapes.enumerated().flatMap { k, shape in
            (0 ..< 3).map { s in matrix(m: shape.m, d: shape.d, seed: UInt64(5_000 + 10 * k + s)) }
        }
    }

    @Test(arguments: inputs)
    func brsgdBlockKernelGivesThePreviousKernelsBits(g: GradientMatrix) throws {
        let m = g.rowCount, d = g.columnCount
        let rows = AcceptedRows(assumingFinite: g)
        let stats = ColumnOrderStatistics(.median, rowCount: m)
        let blocks = ColumnBlocks(columnCount: d)
        var newMedian = [Float](repeating: 0, count: d), oldMedian = newMedian
        var newScores = [Int](repeating: 0, count: m), oldScores = newScores
        var newDistances = [Double](repeating: 0, count: m), oldDistances = newDistances
        rows.withRowPointers { pointers in
            for b in 0 ..< blocks.count {
                let isFinite = BrSGDBlockKernel.run(
                    pointers, columns: blocks.range(b), median: &newMedian, statistics: stats,
                    scores: &newScores, distances: &newDistances, requiringFiniteMeans: true)
                let wasFinite = PreviousBrSGDBlockKernel.run(
                    pointers, columns: blocks.range(b), median: &oldMedian, statistics: stats,
                    scores: &oldScores, distances: &oldDistances, requiringFiniteMeans: true)
                #expect(isFinite == wasFinite)
                #expect(newScores == oldScores, "block \(b)")
                #expect(Self.bits(newDistances) == Self.bits(oldDistances), "block \(b)")
            }
        }
        #expect(Self.bits(newMedian) == Self.bits(oldMedian))
    }

    @Test(arguments: inputs)
    func tiledOrderStatisticsGiveTheDirectOnesBits(g: GradientMatrix) {
        let m = g.rowCount, d = g.columnCount
        var statistics: [ColumnOrderStatistics.Statistic] = [.median]
        for trim in 0 ... (m - 1) / 2 { statistics.append(.trimmedMean(trim: trim)) }
        AcceptedRows(assumingFinite: g).withRowPointers { pointers in
            for statistic in statistics {
                let fast = ColumnOrderStatistics(statistic, rowCount: m)
                let runTime = ColumnOrderStatistics(statistic, rowCount: m, usingWrittenOutNetworks: false)
                var tiled = [Float](repeating: 0, count: d), direct = tiled, network = tiled
                let blocks = ColumnBlocks(columnCount: d)
                for b in 0 ..< blocks.count {
                    let range = blocks.range(b)
                    #expect(fast.computeBlock(pointers, columns: range, into: &tiled, checkingFiniteness: true))
                    direct.withUnsafeMutableBufferPointer { out in
                        fast.withScratch { scratch in
                            fast.compute(pointers, start: range.lowerBound, count: range.count,
                                         into: out.baseAddress! + range.lowerBound, scratch: scratch)
                        }
                    }
                    _ = runTime.computeBlock(pointers, columns: range, into: &network, checkingFiniteness: false)
                }
                #expect(Self.bits(tiled) == Self.bits(direct), "\(statistic)")
                #expect(Self.bits(tiled) == Self.bits(network), "written-out against run-time network, \(statistic)")
            }
        }
    }

    /// Row counts 49…256 went through quickselect and sorting before the network took them:
    /// the network must give their bits, ±0 included (a column holding both zeros goes the old
    /// way). Signed zeros, ties, only zeros, and normals; full tiles and a partial one.
    @Test(arguments: [49, 50, 63, 64, 100, 129, 256])
    func networksAboveTheEarlierLimitGiveQuickselectsAndSortsBits(m: Int) {
        let d = 16 * 2 + 9
        var inputs = (0 ..< 3).map { s in Self.matrix(m: m, d: d, seed: UInt64(7_000 + 10 * m + s)) }
        var rng = SeededGenerator(seed: UInt64(m))
        var signed = GradientMatrix(rowCount: m, columnCount: d)
        for i in 0 ..< m {
            for c in 0 ..< d {
                let v = rng.nextIndex(below: 4)
                signed[i, c] = v == 0 ? -0.0 : v == 1 ? 0 : Float(v) - 2.5 * Float(c % 3)
            }
        }
        inputs.append(signed)
        for g in inputs {
            AcceptedRows(assumingFinite: g).withRowPointers { pointers in
                var statistics: [ColumnOrderStatistics.Statistic] = [.median]
                for trim in [0, 1, m / 5, (m - 1) / 2] { statistics.append(.trimmedMean(trim: trim)) }
                for statistic in statistics {
                    let network = ColumnOrderStatistics(statistic, rowCount: m)
                    let old = ColumnOrderStatistics(statistic, rowCount: m, maximumNetworkSize: 48)
                    var a = [Float](repeating: 0, count: d), b = a
                    let blocks = ColumnBlocks(columnCount: d)
                    for k in 0 ..< blocks.count {
                        _ = network.computeBlock(pointers, columns: blocks.range(k), into: &a, checkingFiniteness: false)
                        _ = old.computeBlock(pointers, columns: blocks.range(k), into: &b, checkingFiniteness: false)
                    }
                    #expect(Self.bits(a) == Self.bits(b), "m=\(m) \(statistic)")
                }
            }
        }
    }

    @Test(arguments: Array(1 ... 40))
    func writtenOutTileCopiesGiveTheLoopsBits(m: Int) {
        let g = Self.matrix(m: m, d: 48, seed: UInt64(m))
        AcceptedRows(assumingFinite: g).withRowPointers { pointers in
            withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 2 * m) { buffer in
                let a = UnsafeMutableRawPointer(buffer.baseAddress!), b = a + 64 * m
                for column in [0, 16, 32] {
                    let x = TileCopies.Copier(rowCount: m)(pointers, column, a)
                    let y = TileCopies.copyLoop(pointers, column, b)
                    #expect(x.indices.allSatisfy { x[$0].bitPattern == y[$0].bitPattern })
                    let tileA = UnsafeRawBufferPointer(start: a, count: 64 * m)
                    let tileB = UnsafeRawBufferPointer(start: b, count: 64 * m)
                    #expect(tileA.elementsEqual(tileB))
                    // The copy without the sum, written out and as the loop.
                    a.initializeMemory(as: UInt8.self, repeating: 0, count: 64 * m)
                    TileCopies.Copier(rowCount: m).copyOnly(pointers, column, a)
                    #expect(tileA.elementsEqual(tileB))
                    a.initializeMemory(as: UInt8.self, repeating: 0, count: 64 * m)
                    TileCopies.copyOnlyLoop(pointers, column, a)
                    #expect(tileA.elementsEqual(tileB))
                }
            }
        }
    }

    /// The column mean, 16 columns at a time in registers, against summing into the output row
    /// by row; all rows, a subset and one row (as BrSGD and Multi-Krum average their selection).
    @Test(arguments: inputs)
    func meanOfRowsGivesTheRowByRowBits(g: GradientMatrix) {
        AcceptedRows(assumingFinite: g).withRowPointers { pointers in
            let subsets = [Array(pointers), pointers.enumerated().filter { $0.offset % 3 != 1 }.map(\.element), [pointers[0]]]
            for subset in subsets where !subset.isEmpty {
                subset.withUnsafeBufferPointer { rows in
                    let fast = Kernels.meanOfRows(rows, columnCount: g.columnCount)
                    #expect(Self.bits(fast) == Self.bits(PreviousKernels.meanOfRows(rows, columnCount: g.columnCount)),
                            "m=\(g.rowCount) d=\(g.columnCount) rows=\(rows.count)")
                }
            }
        }
    }

    /// brsgd-robust's kernels: the mean of C1 ∩ C2 and every row's distance to it in one pass,
    /// against the mean and then the distances; the clip step, 16 columns in registers, against
    /// scaling the point and adding the rows into it one by one (weights of 0 left out).
    @Test(arguments: inputs)
    func robustBrSGDKernelsGiveTheSeparatePassesBits(g: GradientMatrix) {
        let m = g.rowCount, d = g.columnCount
        var rng = SeededGenerator(seed: UInt64(m * 17 + d))
        var weights = (0 ..< m).map { _ in Float(rng.nextUnitDouble()) / Float(m) }
        if m > 2 { weights[1] = 0 }
        AcceptedRows(assumingFinite: g).withRowPointers { pointers in
            let selected = pointers.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            selected.withUnsafeBufferPointer { selected in
                var fused = [Float](repeating: 0, count: d)
                let squared = Kernels.meanAndSquaredDistancesInDouble(pointers, selected: selected, columnCount: d, into: &fused)
                let mean = Kernels.meanOfRows(selected, columnCount: d)
                #expect(Self.bits(fused) == Self.bits(mean))
                #expect(Self.bits(squared) == Self.bits(Kernels.squaredDistancesInDouble(pointers, to: mean, columnCount: d)))
                var blended = mean, old = mean
                Kernels.blendTowardRows(&blended, rows: pointers, weights: weights, columnCount: d)
                PreviousKernels.blendTowardRows(&old, rows: pointers, weights: weights, columnCount: d)
                #expect(Self.bits(blended) == Self.bits(old))
            }
        }
    }

    /// The register-blocked Gram matrix against the pair-by-pair dot products, block by block,
    /// on the shapes above and on row counts 1…50 (every padding of the Swift kernel's 2 × 4
    /// and the C kernel's 4 × 4 micro-tiles), widths that leave a partial sub-tile or a tail of
    /// fewer than 32 columns, and rows in an order other than the matrix's (as a rule's
    /// accepted rows may be). Both ``GramKernel/block(_:columns:into:)`` (in C with AVX-512) and
    /// the Swift kernel.
    @Test(arguments: inputs + (1 ... 50).map { m in Self.matrix(m: m, d: 32 * 61 + 7, seed: UInt64(900 + m)) })
    func gramKernelGivesThePairByPairBits(g: GradientMatrix) {
        let m = g.rowCount, d = g.columnCount
        let blocks = ColumnBlocks(columnCount: d)
        AcceptedRows(assumingFinite: g).withRowPointers { inOrder in
            let shuffled = Array(inOrder.reversed())
            for pointers in [Array(inOrder), shuffled] {
                pointers.withUnsafeBufferPointer { pointers in
                    for b in 0 ..< blocks.count {
                        var fast = [Double](repeating: 0, count: m * m), swift = fast, old = fast
                        GramKernel.block(pointers, columns: blocks.range(b), into: &fast)
                        GramKernel.swiftBlock(pointers, columns: blocks.range(b), into: &swift)
                        PreviousGram.block(pointers, columns: blocks.range(b), into: &old)
                        #expect(Self.bits(fast) == Self.bits(old), "m=\(m) d=\(d) block \(b)")
                        #expect(Self.bits(swift) == Self.bits(old), "Swift kernel, m=\(m) d=\(d) block \(b)")
                    }
                }
            }
        }
    }

    /// The fused passes against the two-pass kernels, step by step as the rules use them.
    @Test(arguments: inputs)
    func fusedMovesAndDistancesGiveTheTwoPassBits(g: GradientMatrix) {
        let m = g.rowCount, d = g.columnCount
        var rng = SeededGenerator(seed: UInt64(m * 31 + d))
        let weights = (0 ..< m).map { _ in Float(rng.nextUnitDouble()) / Float(m) }
        AcceptedRows(assumingFinite: g).withRowPointers { pointers in
            // The mean start (geometric median).
            var fused = [Float](repeating: 0, count: d)
            var squared = MoveAndMeasure.run(.mean, point: &fused, rows: pointers, columnCount: d, measuring: true)
            var twoPass = Kernels.meanOfRows(pointers, columnCount: d)
            #expect(Self.bits(fused) == Self.bits(twoPass))
            #expect(Self.bits(squared) == Self.bits(PreviousKernels.squaredDistances(pointers, to: twoPass, columnCount: d)))
            // The median start (centered clipping).
            let stats = ColumnOrderStatistics(.median, rowCount: m)
            squared = MoveAndMeasure.run(.median(stats), point: &fused, rows: pointers, columnCount: d, measuring: true)
            twoPass = ColumnOrderStatistics.computeAll(.median, rows: pointers, columnCount: d)
            #expect(Self.bits(fused) == Self.bits(twoPass))
            #expect(Self.bits(squared) == Self.bits(PreviousKernels.squaredDistances(pointers, to: twoPass, columnCount: d)))
            // Two moves, the second without distances.
            for measuring in [true, false] {
                squared = weights.withUnsafeBufferPointer { w in
                    MoveAndMeasure.run(.move(weights: w), point: &fused, rows: pointers, columnCount: d, measuring: measuring)
                }
                PreviousKernels.moveTowardRows(&twoPass, rows: pointers, weights: weights, columnCount: d)
                #expect(Self.bits(fused) == Self.bits(twoPass))
                let expected = measuring ? PreviousKernels.squaredDistances(pointers, to: twoPass, columnCount: d) : []
                #expect(Self.bits(squared) == Self.bits(expected))
            }
            // No update: distances only.
            squared = MoveAndMeasure.run(.none, point: &fused, rows: pointers, columnCount: d, measuring: true)
            #expect(Self.bits(squared) == Self.bits(PreviousKernels.squaredDistances(pointers, to: twoPass, columnCount: d)))
        }
    }

    /// Geometric median and centered clipping, whole, against the rules as they were written
    /// with the two-pass kernels.
    @Test(arguments: inputs.filter { $0.columnCount <= 9000 })
    func iterativeRulesGiveTheTwoPassRulesBits(g: GradientMatrix) throws {
        let d = g.columnCount, m = g.rowCount
        let rows = AcceptedRows(assumingFinite: g)
        // Geometric median, as it was.
        let gm = GeometricMedian(maximumIterations: 7)
        var iterations = 0
        let z: [Float] = rows.withRowPointers { pointers in
            var z = Kernels.meanOfRows(pointers, columnCount: d)
            var previous = Double.infinity
            while iterations < gm.maximumIterations {
                let distances = PreviousKernels.squaredDistances(pointers, to: z, columnCount: d)
                    .map { max(gm.smoothing, $0.squareRoot()) }
                let objective = distances.reduce(0, +)
                if abs(previous - objective) <= gm.tolerance * objective { break }
                previous = objective
                let inverse = distances.map { 1 / $0 }
                let total = inverse.reduce(0, +)
                PreviousKernels.moveTowardRows(&z, rows: pointers, weights: inverse.map { Float($0 / total) }, columnCount: d)
                iterations += 1
            }
            return z
        }
        let gmResult = try gm.aggregate(g)
        #expect(Self.bits(gmResult.gradient) == Self.bits(z))
        #expect(gmResult.diagnostics.iterations == iterations)
        // Centered clipping, as it was.
        let cc = CenteredClipping(radius: 2, iterations: 4)
        let v: [Float] = rows.withRowPointers { pointers in
            var v = ColumnOrderStatistics.computeAll(.median, rows: pointers, columnCount: d)
            for _ in 0 ..< cc.iterations {
                let weights = PreviousKernels.squaredDistances(pointers, to: v, columnCount: d).map { squared in
                    let norm = squared.squareRoot()
                    return Float((norm > cc.radius ? cc.radius / norm : 1) / Double(m))
                }
                PreviousKernels.moveTowardRows(&v, rows: pointers, weights: weights, columnCount: d)
            }
            return v
        }
        #expect(Self.bits(try cc.aggregate(g).gradient) == Self.bits(v))
    }

    /// Every rule that looks for non-finite rows inside its own first pass gives the bits of
    /// scanning first, for finite inputs, inputs with a NaN or ±Inf row, and finite rows whose
    /// sums or squared norms overflow (a false alarm that must change nothing).
    @Test(arguments: 0 ..< 12)
    func optimisticFinitenessChecksGiveTheScannedResult(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(77 + seed))
        let m = [9, 20, 33, 40][seed % 4], d = [50, 8200, 300][seed % 3]
        var g = Self.matrix(m: m, d: d, seed: UInt64(seed))
        switch seed % 3 {
        case 0: break
        case 1: g[rng.nextIndex(below: m), rng.nextIndex(below: d)] = [Float.nan, .infinity, -.infinity][seed % 3]
        default: for i in 0 ..< 3 { g[i, d / 2] = 3e38 }                     // overflowing sums and norms
        }
        let rules: [any AggregationRule] = [
            CoordinateWiseMedian(), TrimmedMean(byzantineCount: 2), Krum(byzantineCount: 2),
            MultiKrum(byzantineCount: 2), Bulyan(byzantineCount: 1), GeometricMedian(maximumIterations: 5),
            CenteredClipping(radius: 3, iterations: 2), CenteredClipping(radius: 3, iterations: 2, start: .zero),
            BrSGD(), Mean(),
        ]
        for rule in rules {
            let fast = try rule.aggregate(g), scanned = try rule.aggregate(AcceptedRows(g))
            #expect(Self.bits(fast.gradient) == Self.bits(scanned.gradient), "\(rule.name)")
            #expect(fast.diagnostics == scanned.diagnostics, "\(rule.name)")
        }
    }

    /// The Gram kernel in C (`brsgd_gram_block`, AVX-512) against the Swift kernel
    /// (``GramKernel/swiftBlock(_:columns:into:)``) on random rows: row counts 1…64 (every
    /// padding of the 4 × 4 tiles, one sub-tile and several), widths with and without a tail
    /// of fewer than 32 columns, a block that does not start at column 0 of rows whose stride
    /// is odd, and in every third row count NaN, ±Inf, ±0 and huge entries (products that
    /// overflow). The same bits, and the entries below the diagonal left as they were; a NaN
    /// is only required to be a NaN: which of two NaNs an x86 addition passes on (its sign, the
    /// default NaN of ∞ · 0 or the input's) follows the order the compiler gives the operands,
    /// which neither language fixes (an addition commutes), and ``PairwiseDistances``
    /// only asks whether an entry is finite. Where the CPU lacks AVX-512 (or BRSGD_KERNELS forces another path), or m > 64, the C
    /// kernel must decline (−1) and write nothing.
    @Test(arguments: Array(1 ... 40) + [47, 48, 63, 64, 65])
    func gramKernelInCGivesTheSwiftKernelsBits(m: Int) {
        let inC = brsgd_selected_isa() >= BRSGD_ISA_AVX512 && m <= GramKernel.maximumRowsInC
        let stride = 8192 + 37, start = 5
        var rng = SeededGenerator(seed: UInt64(11_000 + m))
        var values = (0 ..< m * stride).map { _ in Float(rng.nextNormal()) }
        if m % 3 == 0 {
            let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 3e30, -3e30]
            for _ in 0 ..< 4 * m { values[rng.nextIndex(below: values.count)] = specials[rng.nextIndex(below: specials.count)] }
        }
        // The Swift kernel in a debug build is slow: the widest blocks only for small m.
        let widths = [0, 1, 31, 32, 33, 64, 95, 200, 511, 512, 1024 + 17] + (m <= 24 ? [4096 + 3, 8192] : [])
        let sentinel = Double(bitPattern: 0xC0DE_0000_DEAD_BEEF)   // finite: survives the NaN mapping
        func bits(_ gram: [Double]) -> [UInt64] { gram.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern } }
        values.withUnsafeBufferPointer { values in
            let pointers = (0 ..< m).map { values.baseAddress! + $0 * stride }
            // Rows in an order other than the matrix's, too.
            for rows in [pointers, pointers.reversed()] {
                rows.withUnsafeBufferPointer { rows in
                    let cRows = UnsafeRawPointer(rows.baseAddress!).assumingMemoryBound(to: UnsafePointer<Float>?.self)
                    for width in widths {
                        var c = [Double](repeating: sentinel, count: m * m), swift = c
                        let status = brsgd_gram_block(Int32(m), cRows, start, width, &c)
                        GramKernel.swiftBlock(rows, columns: start ..< start + width, into: &swift)
                        if inC {
                            #expect(status == 1, "m=\(m) width=\(width)")
                            #expect(bits(c) == bits(swift), "m=\(m) width=\(width)")
                        } else {
                            #expect(status == -1)
                            #expect(c.allSatisfy { $0.bitPattern == sentinel.bitPattern })
                        }
                    }
                }
            }
        }
    }
}
