#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TestSupport
import Testing
import BrSGDAggregationC
import RobustAggregation

/// `brsgd_aggregate` reads the caller's matrix in place: the same bytes as the Swift rule on
/// an owned copy, the matrix left as it was (also in read-only pages, where a write would
/// crash), and `output` free to lie inside the matrix.
@Suite struct CInterfaceTests {
    /// 9 × 20,000 around 1, row 0 large, row 1 holding a NaN: enough columns for threads.
    static func values(rows m: Int = 9, columns d: Int = 20_000) -> [Float] {
        (0 ..< m * d).map { k in
            let (i, c) = (k / d, k % d)
            if i == 0 { return 50 }
            if i == 1 && c == 17 { return .nan }
            return 1 + Float((k &* 2_654_435_761) % 1000) / 500 - 1
        }
    }

    static let rules: [(json: String, configuration: RuleConfiguration)] = [
        (#"{"name":"brsgd"}"#, RuleConfiguration(name: .brsgd)),
        (#"{"name":"median"}"#, RuleConfiguration(name: .median)),
        (#"{"name":"mean"}"#, RuleConfiguration(name: .mean)),
        (#"{"name":"krum","assumed_byzantine":2}"#, RuleConfiguration(name: .krum, byzantineCount: 2)),
        (#"{"name":"bulyan","assumed_byzantine":1}"#, RuleConfiguration(name: .bulyan, byzantineCount: 1)),
        (#"{"name":"centered-clipping"}"#, RuleConfiguration(name: .centeredClipping)),
        (#"{"name":"median","nnm":true,"assumed_byzantine":2}"#,
         RuleConfiguration(name: .median, byzantineCount: 2, nearestNeighborMixing: true)),
        (#"{"name":"median","bucketing":2}"#, RuleConfiguration(name: .median, bucketSize: 2)),
    ]

    /// Calls brsgd_aggregate; the error code on failure.
    static func aggregate(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, rule: String,
                          into output: UnsafeMutablePointer<Float>) -> String? {
        var code: UnsafeMutablePointer<CChar>?, message: UnsafeMutablePointer<CChar>?
        let status = rule.withCString {
            brsgd_aggregate(matrix, Int64(rows), Int64(columns), $0, output, nil, &code, &message)
        }
        defer { brsgd_free(code); brsgd_free(message) }
        return status == 0 ? nil : code.map { String(cString: $0) }
    }

    @Test(arguments: rules.indices)
    func sameBytesAsTheRuleOnAnOwnedCopy(_ index: Int) throws {
        let (json, configuration) = Self.rules[index]
        let (m, d) = (9, 20_000)
        let values = Self.values(rows: m, columns: d)
        let expected = try configuration.makeRule().aggregate(GradientMatrix(rowCount: m, columnCount: d, storage: values))
        var output = [Float](repeating: -1, count: d)
        let failure = values.withUnsafeBufferPointer { matrix in
            output.withUnsafeMutableBufferPointer {
                Self.aggregate(matrix.baseAddress!, rows: m, columns: d, rule: json, into: $0.baseAddress!)
            }
        }
        #expect(failure == nil)
        #expect(bitwiseDifference(output, expected.gradient) == nil, "\(json)")
        #expect(bitwiseDifference(values, Self.values(rows: m, columns: d)) == nil)
    }

    @Test func readsAMatrixInReadOnlyPages() throws {
        let (m, d) = (9, 20_000)
        let values = Self.values(rows: m, columns: d)
        let bytes = m * d * MemoryLayout<Float>.stride
        let mapped: UnsafeMutableRawPointer? = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        let pages = try #require(mapped.flatMap { $0 == UnsafeMutableRawPointer(bitPattern: -1) ? nil : $0 })
        defer { munmap(pages, bytes) }
        values.withUnsafeBytes { pages.copyMemory(from: $0.baseAddress!, byteCount: bytes) }
        #expect(mprotect(pages, bytes, PROT_READ) == 0)
        let matrix = pages.assumingMemoryBound(to: Float.self)
        for (json, configuration) in Self.rules {
            let expected = try configuration.makeRule().aggregate(GradientMatrix(rowCount: m, columnCount: d, storage: values))
            var output = [Float](repeating: 0, count: d)
            let failure = output.withUnsafeMutableBufferPointer {
                Self.aggregate(matrix, rows: m, columns: d, rule: json, into: $0.baseAddress!)
            }
            #expect(failure == nil && output == expected.gradient, "\(json)")
        }
    }

    @Test func outputMayLieInsideTheMatrix() throws {
        let (m, d) = (9, 20_000)
        var values = Self.values(rows: m, columns: d)
        let expected = try RuleConfiguration(name: .median).makeRule()
            .aggregate(GradientMatrix(rowCount: m, columnCount: d, storage: values))
        let failure = values.withUnsafeMutableBufferPointer { matrix in
            // The last row is the output: the rule must have finished reading it first.
            Self.aggregate(matrix.baseAddress!, rows: m, columns: d, rule: #"{"name":"median"}"#,
                           into: matrix.baseAddress! + (m - 1) * d)
        }
        #expect(failure == nil)
        #expect(Array(values[(m - 1) * d ..< m * d]) == expected.gradient)
    }

    @Test func anErrorLeavesTheOutputAlone() {
        let values = Self.values(rows: 3, columns: 4)
        var output = [Float](repeating: 7, count: 4)
        let failure = values.withUnsafeBufferPointer { matrix in
            output.withUnsafeMutableBufferPointer {
                Self.aggregate(matrix.baseAddress!, rows: 3, columns: 4, rule: #"{"name":"krum","assumed_byzantine":2}"#,
                               into: $0.baseAddress!)
            }
        }
        #expect(failure == "too_few_rows")
        #expect(output == [7, 7, 7, 7])
    }
}
