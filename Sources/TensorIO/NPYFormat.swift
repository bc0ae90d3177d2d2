import Foundation

/// Reads and writes NumPy `.npy` files in memory.
///
/// Format reference: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
///
/// Reading accepts versions 1.0, 2.0 and 3.0; element types `<f4`, `<f8`, and big-endian
/// `>f4`, `>f8` (byte-swapped on load); C order, and Fortran order for 1-D and 2-D arrays
/// (transposed into row-major on load). Float64 values are rounded to the nearest Float32;
/// magnitudes beyond `Float.greatestFiniteMagnitude` (about 3.4e38) become ±infinity — the
/// aggregation rules reject non-finite rows, so such input fails loudly downstream rather
/// than being clipped silently here.
///
/// Writing produces version 1.0, `<f4`, C order, with the header padded so the data starts
/// at a multiple of 64 bytes, byte for byte what `numpy.save` writes for a float32 array.
///
/// ```swift
/// let matrix = try NPYFormat.decodeMatrix(Data(contentsOf: url))   // 2-D, row-major
/// let bytes = NPYFormat.encode(vector: model.parameters)           // 1-D float32
/// ```
public enum NPYFormat {
    /// Decodes an array of any rank.
    /// - Throws: `TensorFileError` with code `.malformed`, `.unsupportedFormat`,
    ///   `.unsupportedDType`, `.truncated` or `.empty` (a 0-byte input); `path` is `nil`.
    /// - Complexity: O(n); one bulk copy for little-endian float32.
    public static func decodeArray(_ data: Data) throws(TensorFileError) -> LoadedArray {
        try decode(data, expectedRank: nil)
    }

    /// Decodes a 2-D array as a row-major matrix.
    /// - Throws: `TensorFileError`, as `decodeArray`, plus `.badShape` if the array is not 2-D
    ///   and `.empty` if it has 0 rows or 0 columns.
    public static func decodeMatrix(_ data: Data) throws(TensorFileError) -> LoadedMatrix {
        let array = try decode(data, expectedRank: 2)
        return LoadedMatrix(rowCount: array.shape[0], columnCount: array.shape[1], values: array.values)
    }

    /// Decodes a 1-D array.
    /// - Throws: `TensorFileError`, as `decodeArray`, plus `.badShape` if the array is not 1-D
    ///   and `.empty` if it has no elements.
    public static func decodeVector(_ data: Data) throws(TensorFileError) -> [Float] {
        try decode(data, expectedRank: 1).values
    }

    /// The `.npy` bytes (version 1.0, `<f4`) of a 1-D array.
    /// - Complexity: O(n).
    public static func encode(vector values: [Float]) -> Data {
        encode(values, shape: [values.count])
    }

    /// The `.npy` bytes (version 1.0, `<f4`, C order) of a `rowCount` × `columnCount` matrix.
    /// - Precondition: `values.count == rowCount * columnCount`.
    /// - Complexity: O(n).
    public static func encode(matrix values: [Float], rowCount: Int, columnCount: Int) -> Data {
        precondition(rowCount >= 0 && columnCount >= 0 && values.count == rowCount * columnCount,
                     "\(values.count) values do not fill \(rowCount) × \(columnCount)")
        return encode(values, shape: [rowCount, columnCount])
    }

    // MARK: Implementation

    static func decode(_ data: Data, expectedRank: Int?) throws(TensorFileError) -> LoadedArray {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(TensorFileError) in try decode(bytes, expectedRank: expectedRank) }
        }
        return try result.get()
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, expectedRank: Int?) throws(TensorFileError) -> LoadedArray {
        let header = try NPYHeader.parse(bytes)
        let shape = header.shape
        if let expectedRank {
            guard shape.count == expectedRank else { throw Shape.rankError(expected: expectedRank, shape: shape) }
            if let error = Shape.emptinessError(expectedRank: expectedRank, shape: shape) { throw error }
        }
        if header.isFortranOrder && shape.count > 2 {
            throw TensorFileError(code: .unsupportedFormat,
                                  message: "Fortran order is not supported for \(shape.count)-D arrays; save with np.ascontiguousarray")
        }
        let itemSize = header.scalarType.byteCount
        guard let count = Shape.elementCount(shape),
              case (let expectedBytes, false) = count.multipliedReportingOverflow(by: itemSize) else {
            throw TensorFileError(code: .malformed, message: "shape \(Shape.pythonRepr(shape)) is too large")
        }
        let dataBytes = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
        guard dataBytes.count == expectedBytes else {
            let said = "header says \(Shape.dimensions(shape)) \(header.scalarType.name) (\(expectedBytes) bytes of data)"
            if dataBytes.count < expectedBytes {
                throw TensorFileError(code: .truncated, message: "\(said) but the file holds \(dataBytes.count)")
            }
            throw TensorFileError(code: .malformed,
                                  message: "\(said) but the file holds \(dataBytes.count): \(dataBytes.count - expectedBytes) trailing bytes")
        }
        var values = switch header.scalarType {
        case .float32: FloatKernels.decodeFloat32(dataBytes, count: count, isBigEndian: header.isBigEndian)
        case .float64: FloatKernels.decodeFloat64(dataBytes, count: count, isBigEndian: header.isBigEndian)
        }
        if header.isFortranOrder && shape.count == 2 {
            values = transposedFromColumnMajor(values, rowCount: shape[0], columnCount: shape[1])
        }
        return LoadedArray(shape: shape, values: values)
    }

    /// Row-major values of a matrix stored column-major (entry (i, c) at `c * rowCount + i`).
    static func transposedFromColumnMajor(_ values: [Float], rowCount: Int, columnCount: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { out, initialized in
            for c in 0..<columnCount {
                for i in 0..<rowCount { out[i * columnCount + c] = values[c * rowCount + i] }
            }
            initialized = values.count
        }
    }

    /// The version 1.0 header NumPy writes for a C-order `<f4` array of `shape`: the dict,
    /// NumPy's spare room for growing the first axis (21 digits), spaces to a multiple of
    /// 64 bytes, and `'\n'`. (NumPy's `_write_array_header` and `_wrap_header`.)
    static func headerBytes(shape: [Int]) -> [UInt8] {
        let growthAxisMaxDigits = 21, alignment = 64, preambleSize = 10
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(Shape.pythonRepr(shape)), }"
        if let first = shape.first {
            dict += String(repeating: " ", count: max(0, growthAxisMaxDigits - String(first).count))
        }
        let lengthWithNewline = dict.utf8.count + 1
        let padding = alignment - (preambleSize + lengthWithNewline) % alignment
        let headerLength = lengthWithNewline + padding
        precondition(headerLength <= Int(UInt16.max), "shape \(shape) needs a version 2.0 header")
        var bytes = NPYHeader.magic + [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        bytes += Array(dict.utf8)
        bytes += [UInt8](repeating: 0x20, count: padding)
        bytes.append(0x0A)
        return bytes
    }

    static func encode(_ values: [Float], shape: [Int]) -> Data {
        let header = headerBytes(shape: shape)
        var data = Data(count: header.count + 4 * values.count)
        data.withUnsafeMutableBytes { out in
            out.copyBytes(from: header)
            values.withUnsafeBufferPointer { src in
                FloatKernels.encodeFloat32LittleEndian(src, into: UnsafeMutableRawBufferPointer(rebasing: out[header.count...]))
            }
        }
        return data
    }
}
