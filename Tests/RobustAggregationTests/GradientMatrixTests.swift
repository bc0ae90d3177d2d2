import Testing
@testable import RobustAggregation

@Suite struct GradientMatrixTests {
    @Test func rowsAreRowMajor() {
        var g = GradientMatrix(rowCount: 2, columnCount: 3)
        g.withUnsafeMutableRow(1) { row in
            for c in row.indices { row[c] = Float(c + 10) }
        }
        #expect(g.storage == [0, 0, 0, 10, 11, 12])
        #expect(g[1, 2] == 12)
        #expect(g.row(1) == [10, 11, 12])
    }
}
