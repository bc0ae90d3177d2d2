import Foundation
import Testing
@testable import TensorIO

@Suite struct NPYFormatTests {
    // MARK: NumPy-written files

    @Test(arguments: ["matrix_f4_v1.npy", "matrix_f8_v1.npy", "matrix_f4_v2.npy", "matrix_f8_v3.npy",
                      "matrix_f4_big_endian.npy", "matrix_f8_big_endian.npy", "matrix_f4_fortran.npy"])
    func readsNumPyMatrices(name: String) throws {
        let matrix = try NPYFormat.decodeMatrix(Fixtures.data(name))
        #expect(matrix.rowCount == 2)
        #expect(matrix.columnCount == 3)
        #expect(matrix.values == Fixtures.base)
    }

    @Test(arguments: ["vector_f4.npy", "vector_f8_big_endian.npy"])
    func readsNumPyVectors(name: String) throws {
        #expect(try NPYFormat.decodeVector(Fixtures.data(name)) == Fixtures.vector)
    }

    @Test func float64BeyondFloat32RangeBecomesInfinite() throws {
        let m = try NPYFormat.decodeMatrix(Fixtures.data("edges_f8.npy"))
        let expected: [Float] = [Float(0.1 as Double), .infinity, -.infinity, 0, .nan, Float(3e38 as Double)]
        #expect(bitsEqual(m.values, expected))
    }

    @Test func readArrayKeepsAnyRank() throws {
        let cube = try NPYFormat.decodeArray(Fixtures.data("rank3.npy"))
        #expect(cube.shape == [2, 3, 4])
        #expect(cube.values == [Float](repeating: 0, count: 24))
        let scalar = try NPYFormat.decodeArray(Fixtures.data("scalar.npy"))
        #expect(scalar.shape == [])
        #expect(scalar.values == [1.5])
    }

    @Test func fortranFlagOnAVectorChangesNothing() throws {
        let header = "{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }"
        let data = Self.npy(header: header, data: NPYFormat.encode(vector: [1, 2, 3]).suffix(12).map { $0 })
        #expect(try NPYFormat.decodeVector(data) == [1, 2, 3])
    }

    @Test func decodesDataSlicesThatDoNotStartAtZero() throws {
        let padded = Data([0xAA, 0xBB, 0xCC]) + (try Fixtures.data("matrix_f4_v1.npy"))
        let slice = padded[3...]
        #expect(slice.startIndex == 3)
        #expect(try NPYFormat.decodeMatrix(slice).values == Fixtures.base)
    }

    // MARK: Writing, byte for byte as NumPy

    @Test func writerMatchesNumPyBytes() throws {
        #expect(NPYFormat.encode(matrix: Fixtures.base, rowCount: 2, columnCount: 3)
                == (try Fixtures.data("matrix_f4_v1.npy")))
        #expect(NPYFormat.encode(vector: Fixtures.vector) == (try Fixtures.data("vector_f4.npy")))
    }

    @Test func headersMatchNumPyForManyShapes() throws {
        let json = try JSONSerialization.jsonObject(with: Fixtures.data("npy_headers_v1_f4.json"))
        let entries = try #require(json as? [[String: Any]])
        #expect(entries.count > 10)
        for entry in entries {
            let shape = try #require(entry["shape"] as? [Int])
            let hex = try #require(entry["hex"] as? String)
            let ours = NPYFormat.headerBytes(shape: shape).map { String(format: "%02x", $0) }.joined()
            #expect(ours == hex, "shape \(shape)")
            #expect(ours.count / 2 % 64 == 0)
        }
    }

    @Test(arguments: [0, 1, 7, 1000])
    func roundTripsVectors(count: Int) throws {
        let values = (0..<count).map { Float($0) * 0.37 - 11 }
        let data = NPYFormat.encode(vector: values)
        if count == 0 {
            #expect(try NPYFormat.decodeArray(data) == LoadedArray(shape: [0], values: []))
        } else {
            #expect(try NPYFormat.decodeVector(data) == values)
        }
    }

    @Test func roundTripsMatrixWithSpecialValues() throws {
        let values: [Float] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let m = try NPYFormat.decodeMatrix(NPYFormat.encode(matrix: values, rowCount: 3, columnCount: 2))
        #expect(m.rowCount == 3 && m.columnCount == 2)
        #expect(bitsEqual(m.values, values))
    }

    /// A 4 MB matrix round-trips exactly (its speed is not a test's business).
    @Test func readsLargeMatrix() throws {
        let rows = 20, columns = 50_000
        let values = (0..<rows * columns).map { Float($0 % 977) }
        let data = NPYFormat.encode(matrix: values, rowCount: rows, columnCount: columns)
        let m = try NPYFormat.decodeMatrix(data)
        #expect(m.rowCount == rows && m.columnCount == columns)
        #expect(m.values == values)
    }

    // MARK: Kernels against their naive references

    @Test(arguments: [false, true])
    func kernelsMatchReference(isBigEndian: Bool) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8 * 37 + 3).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBytes { raw in
            // Start at an odd offset, to exercise unaligned loads.
            let shifted = UnsafeRawBufferPointer(rebasing: raw[3...])
            let reference = Array(bytes[3...])
            #expect(bitsEqual(FloatKernels.decodeFloat32(shifted, count: 74, isBigEndian: isBigEndian),
                              FloatKernels.decodeReference(reference, scalarByteCount: 4, isBigEndian: isBigEndian)))
            #expect(bitsEqual(FloatKernels.decodeFloat64(shifted, count: 37, isBigEndian: isBigEndian),
                              FloatKernels.decodeReference(reference, scalarByteCount: 8, isBigEndian: isBigEndian)))
        }
        let values = (0..<50).map { Float(bitPattern: UInt32($0) &* 2_654_435_761) }
        var out = [UInt8](repeating: 0, count: 200)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBytes { FloatKernels.encodeFloat32LittleEndian(src, into: $0) }
        }
        #expect(out == FloatKernels.encodeFloat32LittleEndianReference(values))
    }

    // MARK: Header parsing

    @Test(arguments: [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5), }",
        "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,5)}",
        "  { 'shape' : ( 2 , 5 , ) , 'fortran_order' : False , 'descr' : '<f4' }  ",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 5]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 5L), }",
    ])
    func tolerantHeaderParser(header: String) throws {
        let data = Self.npy(header: header, data: [UInt8](repeating: 0, count: 40))
        let m = try NPYFormat.decodeMatrix(data)
        #expect(m.rowCount == 2 && m.columnCount == 5)
    }

    @Test func pythonLiteralShapes() throws {
        #expect(try PythonLiteral.parse(Array("()".utf8)) == .tuple([]))
        #expect(try PythonLiteral.parse(Array("(3,)".utf8)) == .tuple([.int(3)]))
        #expect(try PythonLiteral.parse(Array("(3)".utf8)) == .int(3))
        #expect(try PythonLiteral.parse(Array("(2, 5)".utf8)) == .tuple([.int(2), .int(5)]))
        #expect(try PythonLiteral.parse(Array("{'a': None, 'b': True,}".utf8)) == .dict(["a": .none, "b": .bool(true)]))
    }

    // MARK: Errors

    @Test(arguments: [
        ("int64.npy", "'<i8' (int64)"), ("float16.npy", "'<f2' (float16)"),
        ("complex64.npy", "'<c8' (complex64)"), ("structured.npy", "structured"),
    ])
    func unsupportedDTypes(name: String, named: String) throws {
        let error = try Self.decodeError(Fixtures.data(name))
        #expect(error.code == .unsupportedDType)
        #expect(error.message.contains(named), "\(error)")
    }

    @Test func wrongRank() throws {
        let cube = try Self.decodeError(Fixtures.data("rank3.npy"))
        #expect(cube.code == .badShape)
        #expect(cube.message.contains("expected a 2-D array") && cube.message.contains("3-D array of shape (2, 3, 4)"))
        let vector = try Self.decodeError(Fixtures.data("vector_f4.npy"))
        #expect(vector.code == .badShape)
        #expect(vector.message.contains("1-D array of shape (5,)"))
        let scalar = try Self.decodeError(Fixtures.data("scalar.npy"))
        #expect(scalar.code == .badShape && scalar.message.contains("0-D scalar"))
        #expect(throws: TensorFileError.self) { try NPYFormat.decodeVector(Fixtures.data("matrix_f4_v1.npy")) }
    }

    @Test func emptyMatrix() throws {
        let error = try Self.decodeError(Fixtures.data("empty_rows.npy"))
        #expect(error.code == .empty)
        #expect(error.message.contains("empty matrix") && error.message.contains("(0, 3)"))
        let zeroBytes = try Self.decodeError(Data())
        #expect(zeroBytes.code == .empty && zeroBytes.message.contains("empty"))
        let emptyVector = #expect(throws: TensorFileError.self) { try NPYFormat.decodeVector(NPYFormat.encode(vector: [])) }
        #expect(emptyVector?.code == .empty && emptyVector?.message.contains("empty vector") == true)
    }

    @Test func truncatedData() throws {
        let full = NPYFormat.encode(matrix: [Float](repeating: 1, count: 20 * 1000), rowCount: 20, columnCount: 1000)
        let error = try Self.decodeError(full.prefix(128 + 4096))
        #expect(error.code == .truncated)
        #expect(error.message == "header says 20 × 1000 float32 (80000 bytes of data) but the file holds 4096")
        let f8 = try Self.decodeError(Fixtures.data("matrix_f8_v1.npy").dropLast(1))
        #expect(f8.code == .truncated && f8.message.contains("float64 (48 bytes of data) but the file holds 47"))
    }

    @Test(arguments: [3, 9, 11, 60])
    func truncatedPreambleOrHeader(length: Int) throws {
        let error = try Self.decodeError(Fixtures.data("matrix_f4_v1.npy").prefix(length))
        #expect(error.code == .truncated, "\(error)")
    }

    @Test func trailingBytes() throws {
        let error = try Self.decodeError(Fixtures.data("matrix_f4_v1.npy") + [0, 0, 0, 0])
        #expect(error.code == .malformed && error.message.contains("4 trailing bytes"))
    }

    @Test func notNpy() throws {
        let error = try Self.decodeError(Data("[[1, 2]]".utf8))
        #expect(error.code == .malformed && error.message.contains("\\x93NUMPY"))
    }

    @Test func unsupportedVersion() throws {
        var bytes = try Fixtures.data("matrix_f4_v1.npy")
        bytes[6] = 4
        let error = try Self.decodeError(bytes)
        #expect(error.code == .unsupportedFormat && error.message.contains("version 4.0"))
    }

    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': False}", "no 'shape' key"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -5)}", "non-negative"),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 5)}", "fortran_order"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5)", "cannot parse the header"),
        ("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 5)}", "expected ',' or '}'"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 5)}", "too large"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", "too large"),
    ])
    func malformedHeaders(header: String, named: String) {
        let error = #expect(throws: TensorFileError.self) { try NPYFormat.decodeMatrix(Self.npy(header: header, data: [])) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains(named) == true, "\(String(describing: error))")
    }

    @Test func fortranOrderAbove2DIsRefused() {
        let header = "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1, 2)}"
        let error = #expect(throws: TensorFileError.self) { try NPYFormat.decodeArray(Self.npy(header: header, data: [UInt8](repeating: 0, count: 8))) }
        #expect(error?.code == .unsupportedFormat && error?.message.contains("np.ascontiguousarray") == true)
    }

    // MARK: Helpers

    static func decodeError(_ data: Data) throws -> TensorFileError {
        let error = #expect(throws: TensorFileError.self) { try NPYFormat.decodeMatrix(data) }
        return try #require(error)
    }

    /// A version 1.0 file with a hand-written header.
    static func npy(header: String, data: [UInt8]) -> Data {
        let text = Array((header + "\n").utf8)
        return Data(NPYHeader.magic + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data)
    }
}
