import Foundation

/// Reads and writes matrices and vectors as JSON arrays of numbers, in memory.
///
/// A matrix is an array of equal-length arrays of numbers, `[[1, 2.5], [3e-2, -4]]`, a vector
/// an array of numbers. Numbers follow JSON's grammar (ints, decimals, exponents like `1e10`)
/// and are rounded to the nearest `Float`; magnitudes beyond Float range (about 3.4e38)
/// become ±infinity. JSON has no NaN or infinity, but Python's `json` module writes them as
/// the bare tokens `NaN`, `Infinity` and `-Infinity`, and that is what users of NumPy and
/// PyTorch will send: they are accepted, bare or quoted, and written bare.
///
/// Writing uses the shortest decimal that reads back as the same `Float` (Swift's
/// `description`), so a write followed by a read returns identical bits for every value
/// except NaN payloads.
///
/// ```swift
/// let gradients = try JSONTensorFormat.decodeMatrix(Data("[[1, 2], [3, 4]]".utf8))
/// let bytes = JSONTensorFormat.encode(vector: [0.5, .nan])   // "[0.5, NaN]\n"
/// ```
public enum JSONTensorFormat {
    /// Decodes a nested array of numbers of any depth (a lone number is a 0-d array).
    /// - Throws: `TensorFileError` with code `.malformed` (not JSON, or a non-number),
    ///   `.badShape` (ragged rows, arrays mixed with numbers), `.truncated` (the text ends
    ///   inside an array) or `.empty` (no value at all); `path` is `nil`.
    /// - Complexity: O(n) in the length of the text.
    public static func decodeArray(_ data: Data) throws(TensorFileError) -> LoadedArray {
        try decode(data, expectedRank: nil)
    }

    /// Decodes an array of equal-length arrays of numbers as a row-major matrix.
    /// - Throws: `TensorFileError`, as `decodeArray`, plus `.badShape` if the nesting is not
    ///   2 deep and `.empty` if there are no rows or no columns. Messages name the row and column.
    public static func decodeMatrix(_ data: Data) throws(TensorFileError) -> LoadedMatrix {
        let array = try decode(data, expectedRank: 2)
        return LoadedMatrix(rowCount: array.shape[0], columnCount: array.shape[1], values: array.values)
    }

    /// Decodes an array of numbers.
    /// - Throws: `TensorFileError`, as `decodeArray`, plus `.badShape` if it is not a flat
    ///   array and `.empty` if it has no elements.
    public static func decodeVector(_ data: Data) throws(TensorFileError) -> [Float] {
        try decode(data, expectedRank: 1).values
    }

    /// A vector as one line, `[1.0, -0.25, NaN]`, ending in a newline.
    /// - Complexity: O(n).
    public static func encode(vector values: [Float]) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 12 + 3)
        appendRow(values[...], to: &out)
        out.append(0x0A)
        return Data(out)
    }

    /// A matrix as an array of rows, one row per line, ending in a newline:
    ///
    /// ```
    /// [[1.0, 2.0],
    ///  [3.0, 4.0]]
    /// ```
    /// - Precondition: `values.count == rowCount * columnCount`.
    /// - Complexity: O(n).
    public static func encode(matrix values: [Float], rowCount: Int, columnCount: Int) -> Data {
        precondition(rowCount >= 0 && columnCount >= 0 && values.count == rowCount * columnCount,
                     "\(values.count) values do not fill \(rowCount) × \(columnCount)")
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(values.count * 12 + rowCount * 4 + 3)
        for row in 0..<rowCount {
            if row > 0 { out += Array(",\n ".utf8) }
            appendRow(values[row * columnCount ..< (row + 1) * columnCount], to: &out)
        }
        out += Array("]\n".utf8)
        return Data(out)
    }

    // MARK: Implementation

    static func decode(_ data: Data, expectedRank: Int?) throws(TensorFileError) -> LoadedArray {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(TensorFileError) in
                var parser = JSONArrayParser(bytes: bytes, expectedRank: expectedRank)
                return try parser.parse()
            }
        }
        return try result.get()
    }

    /// JSON text for one number: Swift's shortest round-trip form, Python's names for non-finite.
    static func text(_ value: Float) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return value.description
    }

    private static func appendRow(_ row: ArraySlice<Float>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var isFirst = true
        for value in row {
            if !isFirst { out += [UInt8(ascii: ","), UInt8(ascii: " ")] }
            isFirst = false
            out += text(value).utf8
        }
        out.append(UInt8(ascii: "]"))
    }
}
