import Foundation
import Testing
@testable import TensorIO

@Suite struct JSONTensorFormatTests {
    static func matrix(_ text: String) throws(TensorFileError) -> LoadedMatrix {
        try JSONTensorFormat.decodeMatrix(Data(text.utf8))
    }

    static func matrixError(_ text: String) throws -> TensorFileError {
        let error = #expect(throws: TensorFileError.self) { try Self.matrix(text) }
        return try #require(error)
    }

    // MARK: Reading

    @Test func readsMatrix() throws {
        let m = try Self.matrix("[[1, 2.5, -3], [4e0, -5.25E+1, 6e-1]]")
        #expect(m.rowCount == 2 && m.columnCount == 3)
        #expect(m.values == [1, 2.5, -3, 4, -52.5, 0.6])
    }

    @Test(arguments: [
        "[[1,2],[3,4]]",
        "  [ [ 1 , 2 ] , [ 3 , 4 ] ]  ",
        "[\n  [1, 2],\n  [3, 4]\n]\n",
        "\r\n\t[[1,\t2],\r\n[3,4]]\r\n",
        "\u{FEFF}[[1, 2], [3, 4]]",
        "[[1.0, 2.0], [3.0, 4.0]]",
        "[[1e0, 0.2e1], [30E-1, 4]]",
    ])
    func whitespaceAndNumberVariants(text: String) throws {
        let m = try Self.matrix(text)
        #expect(m == LoadedMatrix(rowCount: 2, columnCount: 2, values: [1, 2, 3, 4]))
    }

    @Test func pythonNonFiniteTokens() throws {
        // Written by Python's json.dump (Scripts/make_npy_fixtures.py).
        let m = try JSONTensorFormat.decodeMatrix(Fixtures.data("python_nonfinite.json"))
        #expect(bitsEqual(m.values, [1, .nan, .infinity, -.infinity, 1e10, 3e38]))
        let quoted = try Self.matrix(#"[["NaN", "Infinity", "-Infinity"]]"#)
        #expect(bitsEqual(quoted.values, [.nan, .infinity, -.infinity]))
    }

    @Test func hugeAndTinyValues() throws {
        let m = try Self.matrix("[[1e10, 3e38, -3.4028235e38, 1e39, -1e400, 1e-50, -0.0, 0.10000000149011612]]")
        #expect(bitsEqual(m.values, [1e10, 3e38, -.greatestFiniteMagnitude, .infinity, -.infinity, 0, -0.0, 0.1]))
    }

    @Test func roundsStraightToFloat() throws {
        // Halfway between two Floats in decimal, slightly above: a Double detour rounds it down.
        let text = "1.00000005960464477550"
        let v = try JSONTensorFormat.decodeVector(Data("[\(text)]".utf8))
        #expect(v == [Float(text)!])
        #expect(v[0] == Float(1).nextUp)
    }

    @Test func readsVectorAndAnyRank() throws {
        #expect(try JSONTensorFormat.decodeVector(Data("[1, 2, 3]".utf8)) == [1, 2, 3])
        let cube = try JSONTensorFormat.decodeArray(Data("[[[1, 2]], [[3, 4]], [[5, 6]]]".utf8))
        #expect(cube == LoadedArray(shape: [3, 1, 2], values: [1, 2, 3, 4, 5, 6]))
        #expect(try JSONTensorFormat.decodeArray(Data("7.5".utf8)) == LoadedArray(shape: [], values: [7.5]))
        #expect(try JSONTensorFormat.decodeArray(Data("[[], []]".utf8)) == LoadedArray(shape: [2, 0], values: []))
    }

    // MARK: Writing

    @Test func writesVectorAndMatrix() {
        #expect(String(decoding: JSONTensorFormat.encode(vector: [1, -0.25, .nan, .infinity, -.infinity, 1e10]), as: UTF8.self)
                == "[1.0, -0.25, NaN, Infinity, -Infinity, 1e+10]\n")
        #expect(String(decoding: JSONTensorFormat.encode(vector: []), as: UTF8.self) == "[]\n")
        #expect(String(decoding: JSONTensorFormat.encode(matrix: [1, 2, 3, 4], rowCount: 2, columnCount: 2), as: UTF8.self)
                == "[[1.0, 2.0],\n [3.0, 4.0]]\n")
    }

    @Test func writtenJSONIsReadByFoundation() throws {
        let data = JSONTensorFormat.encode(matrix: [0.1, 1e-5, 3e38, -7], rowCount: 2, columnCount: 2)
        let parsed = try #require(JSONSerialization.jsonObject(with: data) as? [[Double]])
        #expect(parsed.flatMap { $0 }.map(Float.init) == [0.1, 1e-5, 3e38, -7])
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func roundTripsBits(seed: UInt64) throws {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        let values: [Float] = (0..<500).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
        }
        let back = try JSONTensorFormat.decodeMatrix(JSONTensorFormat.encode(matrix: values, rowCount: 20, columnCount: 25))
        // Every finite value and infinity comes back bit for bit; NaNs come back as NaN.
        for (a, b) in zip(values, back.values) {
            #expect(a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern, "\(a) came back as \(b)")
        }
    }

    // MARK: Errors

    @Test func raggedRowsNameRowAndLengths() throws {
        let error = try Self.matrixError("[[1, 2, 3, 4, 5],\n [1, 2, 3, 4, 5],\n [1, 2, 3, 4, 5],\n [1, 2, 3, 4]]")
        #expect(error.code == .badShape)
        #expect(error.message.contains("row 3 has 4 numbers but row 0 has 5"), "\(error)")
        #expect(error.message.contains("line 4"))
        let deeper = #expect(throws: TensorFileError.self) {
            try JSONTensorFormat.decodeArray(Data("[[[1, 2]], [[3]]]".utf8))
        }
        #expect(deeper?.code == .badShape && deeper?.message.contains("[1][0] has 1 number but [0][0] has 2") == true)
    }

    @Test(arguments: [
        ("[[1, 2], [3, \"x\"]]", "row 1, column 1", "'\"x\"'"),
        ("[[1, 2], [3, true]]", "row 1, column 1", "'true'"),
        ("[[1, null]]", "row 0, column 1", "'null'"),
        ("[[1, 01]]", "row 0, column 1", "'01'"),
        ("[[1, 1.]]", "row 0, column 1", "'1.'"),
        ("[[1, .5]]", "row 0, column 1", "'.5'"),
        ("[[1, +5]]", "row 0, column 1", "'+5'"),
        ("[[1, 1x]]", "row 0, column 1", "'1x'"),
        ("[[1, nan]]", "row 0, column 1", "'nan'"),
        ("[[1, -NaN]]", "row 0, column 1", "'-NaN'"),
        ("[[1, \"1.5\"]]", "row 0, column 1", "'\"1.5\"'"),
        ("[[1 2]]", "after row 0, column 0", "'2'"),
        ("{\"a\": [1]}", "expected an array of numbers", "'{\"a\":'"),
        ("[[1, 2]] x", "after the array", "'x'"),
    ])
    func nonNumbersNamePosition(text: String, position: String, quoted: String) throws {
        let error = try Self.matrixError(text)
        #expect(error.code == .malformed, "\(error)")
        #expect(error.message.contains(position), "\(error)")
        #expect(error.message.contains(quoted), "\(error)")
        #expect(error.message.contains("line 1, column"), "\(error)")
    }

    @Test(arguments: [
        ("[1, 2, 3]", "but row 0 is a number, '1'"),
        ("[[[1]]]", "but row 0, column 0 is an array"),
        ("5", "but the top level is a number, '5'"),
        ("[[1, 2], 3]", "expected an array at row 1"),
        ("[[1, [2]]]", "expected a number at row 0, column 1 like its neighbours, found an array"),
    ])
    func wrongNestingIsBadShape(text: String, named: String) throws {
        let error = try Self.matrixError(text)
        #expect(error.code == .badShape, "\(error)")
        #expect(error.message.contains(named), "\(error)")
    }

    @Test(arguments: ["", "   \n", "[]", "[[]]", "[[], []]"])
    func emptyInput(text: String) throws {
        let error = try Self.matrixError(text)
        #expect(error.code == .empty, "\(error)")
        #expect(error.message.contains(text.contains("[") ? "empty matrix" : "no JSON value"), "\(error)")
        let vectorError = #expect(throws: TensorFileError.self) { try JSONTensorFormat.decodeVector(Data("[]".utf8)) }
        #expect(vectorError?.code == .empty && vectorError?.message.contains("empty vector") == true)
    }

    @Test(arguments: ["[[1, 2], [3", "[[1, 2], [3,", "[[1, 2], [3, 4]", "[", "[[1, 2],"])
    func truncatedInput(text: String) throws {
        let error = try Self.matrixError(text)
        #expect(error.code == .truncated, "\(error)")
        #expect(error.message.contains("the file ends inside the array"), "\(error)")
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let text = String(repeating: "[", count: 100_000)
        let error = #expect(throws: TensorFileError.self) { try JSONTensorFormat.decodeArray(Data(text.utf8)) }
        #expect(error?.code == .badShape && error?.message.contains("deeper than") == true)
    }

    /// 200,000 numbers round-trip exactly (their speed is not a test's business).
    @Test func largeInputRoundTrips() throws {
        let rows = 20, columns = 10_000
        let values = (0..<rows * columns).map { Float($0 % 1013) * 0.125 - 3 }
        let data = JSONTensorFormat.encode(matrix: values, rowCount: rows, columnCount: columns)
        let m = try JSONTensorFormat.decodeMatrix(data)
        #expect(m.rowCount == rows && m.columnCount == columns)
        #expect(m.values == values)
    }
}
