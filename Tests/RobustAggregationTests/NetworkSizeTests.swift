import Testing
@testable import RobustAggregation

/// The median has one written-out network per row count up to
/// ``MedianNetworks/largestRowCount``, the run-time network above it up to
/// ``SelectionNetwork/maximumNetworkSize``, quickselect past that: every row count from 1 to
/// 50 goes through the rules that use them, on columns full of ties, with 16-lane tiles and
/// a narrower remainder (d = 37).
@Suite struct NetworkSizeTests {
    static let rowCounts = Array(1 ... 50)

    static func input(m: Int) -> GradientMatrix {
        TestInputs.random(m: m, d: 37, seed: UInt64(7_000 + m)).matrix
    }

    @Test(arguments: rowCounts)
    func medianMatchesReferenceForEveryRowCount(m: Int) throws {
        let g = Self.input(m: m)
        let ref = Reference.coordinateMedian(g)
        guard !ref.selected.isEmpty else { return }
        #expect(try CoordinateWiseMedian().aggregate(g).gradient == ref.gradient)
    }

    @Test(arguments: rowCounts)
    func brsgdMatchesReferenceForEveryRowCount(m: Int) throws {
        let g = Self.input(m: m)
        guard !Reference.rows(g).accepted.isEmpty else { return }
        let ref = Reference.brsgd(g, beta: 0.5)
        let result = try BrSGD().aggregate(g)
        let diag = try #require(result.diagnostics.brsgd)
        #expect(diag.scores == ref.intScores)
        #expect(diag.constraint2 == ref.c2)
        for (x, y) in zip(diag.distances, ref.distances) {
            #expect(abs(x - y) <= 1e-5 * max(1, abs(y)), "distance \(x) vs \(y)")
        }
    }

    @Test func writtenOutNetworksExistExactlyUpToTheirLargestRowCount() {
        #expect((1 ... MedianNetworks.largestRowCount).allSatisfy { MedianNetworks.function(rowCount: $0) != nil })
        #expect(MedianNetworks.function(rowCount: MedianNetworks.largestRowCount + 1) == nil)
    }

    /// Finite rows near Float.greatestFiniteMagnitude overflow the column sums: the mean is
    /// +Inf, no entry is ≥ it, and Algorithm 2 goes on (the median is still the median).
    @Test func brsgdHandlesColumnSumsThatOverflow() throws {
        let big = Float.greatestFiniteMagnitude / 2
        let g = GradientMatrix(rows: [[big, 1], [big, 2], [big, 3], [big, 4], [0, 5]])
        let result = try BrSGD().aggregate(g)
        let ref = Reference.brsgd(g, beta: 0.5)
        let diag = try #require(result.diagnostics.brsgd)
        #expect(result.diagnostics.rejectedRows.isEmpty)
        #expect(diag.scores == ref.intScores)
        #expect(diag.constraint2 == ref.c2)
        #expect(result.gradient.allSatisfy { $0.isFinite })
    }
}
