import TestSupport
import Testing
import RobustAggregation

/// `GradientMatrix.withBorrowed`: a matrix that reads the caller's memory in place, what the
/// C interface lends the rules. Every rule gives the same bytes and diagnostics on it as on
/// an owned copy; nothing writes the caller's memory; a matrix kept past the call traps.
@Suite struct BorrowedMatrixTests {
    /// Each rule, and each pre-aggregation around one, with f where it takes one.
    static func configurations(rowCount m: Int) -> [RuleConfiguration] {
        let f = max(0, (m - 3) / 4)
        return RuleName.allCases.map { name in
            RuleConfiguration(name: name, byzantineCount: name.takesByzantineCount ? f : nil)
        } + [
            RuleConfiguration(name: .median, byzantineCount: f, nearestNeighborMixing: true),
            RuleConfiguration(name: .brsgd, byzantineCount: f, nearestNeighborMixing: true),
            RuleConfiguration(name: .median, clippingThreshold: 5),
            RuleConfiguration(name: .trimmedMean, byzantineCount: f, adaptiveRobustClipping: true),
            RuleConfiguration(name: .median, bucketSize: 2),
        ]
    }

    @Test func everyRuleGivesTheSameBytesOnBorrowedMemory() throws {
        for input in TestInputs.many(perShape: 2) {
            let owned = input.matrix
            for configuration in Self.configurations(rowCount: owned.rowCount) {
                let rule = try configuration.makeRule(seed: 7)
                let expected = Result { () throws(AggregationError) in try rule.aggregate(owned, round: 3) }
                let got = owned.withUnsafeStorage { memory in
                    GradientMatrix.withBorrowed(rowCount: owned.rowCount, columnCount: owned.columnCount,
                                                storage: memory) { borrowed in
                        Result { () throws(AggregationError) in try rule.aggregate(borrowed, round: 3) }
                    }
                }
                switch (expected, got) {
                case (.success(let a), .success(let b)):
                    #expect(bitwiseDifference(a.gradient, b.gradient) == nil, "\(rule.name) \(input)")
                    #expect(a.diagnostics == b.diagnostics, "\(rule.name) \(input)")
                case (.failure(let a), .failure(let b)):
                    #expect(a == b, "\(rule.name) \(input)")
                default:
                    Issue.record("\(rule.name) \(input): owned \(expected), borrowed \(got)")
                }
            }
        }
    }

    @Test func readsTheMemoryInPlace() {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        values.withUnsafeBufferPointer { memory in
            GradientMatrix.withBorrowed(rowCount: 2, columnCount: 3, storage: memory) { g in
                #expect(g.isBorrowed)
                #expect(g.withUnsafeStorage { $0.baseAddress } == memory.baseAddress)
                #expect(g[1, 0] == 4)
                #expect(g.row(1) == [4, 5, 6])
                #expect(g.storage == values)
                #expect(g == GradientMatrix(rows: [[1, 2, 3], [4, 5, 6]]))
                #expect(g != GradientMatrix(rows: [[1, 2, 3], [4, 5, 7]]))
            }
        }
    }

    @Test func aWriteCopiesAndLeavesTheLentMemoryAlone() {
        let values: [Float] = [1, 2, 3, 4]
        values.withUnsafeBufferPointer { memory in
            GradientMatrix.withBorrowed(rowCount: 2, columnCount: 2, storage: memory) { lent in
                var g = lent
                g[0, 1] = 20
                g.withUnsafeMutableRow(1) { $0[0] = 30 }
                #expect(!g.isBorrowed && lent.isBorrowed)
                #expect(g.storage == [1, 20, 30, 4])
                #expect(lent.storage == [1, 2, 3, 4])
                #expect(g.withUnsafeStorage { $0.baseAddress } != memory.baseAddress)
            }
        }
        #expect(values == [1, 2, 3, 4])
    }

    @Test func anEmptyMatrixNeedsNoMemory() throws {
        let result = try GradientMatrix.withBorrowed(
            rowCount: 3, columnCount: 0, storage: UnsafeBufferPointer(start: nil, count: 0)
        ) { g throws(AggregationError) in try Mean().aggregate(g) }
        #expect(result.gradient.isEmpty)
    }

    @Test func aMatrixKeptPastTheCallTraps() async {
        await #expect(processExitsWith: .failure) {
            let values: [Float] = [1, 2]
            var kept: GradientMatrix?
            values.withUnsafeBufferPointer { memory in
                GradientMatrix.withBorrowed(rowCount: 1, columnCount: 2, storage: memory) { kept = $0 }
            }
            _ = kept
        }
    }

    @Test func aCopyOfTheValuesMayBeKept() {
        let values: [Float] = [1, 2]
        var kept: GradientMatrix?
        values.withUnsafeBufferPointer { memory in
            GradientMatrix.withBorrowed(rowCount: 1, columnCount: 2, storage: memory) { g in
                kept = GradientMatrix(rowCount: 1, columnCount: 2, storage: g.storage)
            }
        }
        #expect(kept?.isBorrowed == false && kept?.storage == [1, 2])
    }
}
