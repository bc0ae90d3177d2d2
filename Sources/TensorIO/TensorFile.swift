import Foundation

/// Reads and writes matrices and vectors in the file format named by the file's extension:
/// `.npy` (NumPy, see `NPYFormat`) or `.json` (nested arrays, see `JSONTensorFormat`),
/// case-insensitively.
///
/// This is the boundary `brsgd aggregate --input G.npy --output g.json` and
/// `--save-model model.npy` go through:
///
/// ```swift
/// let gradients = try TensorFile.readMatrix(at: URL(fileURLWithPath: "G.npy"))
/// let matrix = GradientMatrix(rowCount: gradients.rowCount, columnCount: gradients.columnCount,
///                             storage: gradients.values)          // no copy
/// try TensorFile.writeVector(aggregate, to: URL(fileURLWithPath: "g.json"))
/// ```
///
/// Every error is a `TensorFileError` whose `path` is the file as the caller spelled it.
/// Writes are atomic: a temporary file in the same directory, flushed, then renamed over
/// the destination, so a crash never leaves half a file.
public enum TensorFile {
    /// The file formats TensorIO knows, named by their extensions.
    public enum Format: String, Sendable, CaseIterable {
        /// NumPy's `.npy`.
        case npy
        /// A JSON array of numbers, or of equal-length arrays of numbers.
        case json

        /// The format named by `url`'s extension (case-insensitive).
        /// - Throws: `TensorFileError` `.unsupportedFormat`, listing the supported extensions.
        public init(url: URL) throws(TensorFileError) {
            let ext = url.pathExtension.lowercased()
            guard let format = Format(rawValue: ext) else {
                let supported = Format.allCases.map { ".\($0.rawValue)" }.joined(separator: ", ")
                let named = ext.isEmpty ? "no extension" : "extension '.\(url.pathExtension)'"
                throw TensorFileError(code: .unsupportedFormat,
                                      message: "\(named) is not a tensor format; use one of \(supported)",
                                      path: TensorFile.displayPath(url))
            }
            self = format
        }
    }

    /// Reads an array of any rank.
    /// - Throws: `TensorFileError`: `.unsupportedFormat` for an unknown extension, `.io` if
    ///   the file cannot be read, and the format's own errors (see `NPYFormat`, `JSONTensorFormat`).
    /// - Complexity: O(file size).
    public static func readArray(at url: URL) throws(TensorFileError) -> LoadedArray {
        try read(at: url, expectedRank: nil)
    }

    /// Reads a 2-D array as a row-major matrix.
    /// - Throws: `TensorFileError`, as `readArray`, plus `.badShape` unless the array is 2-D
    ///   and `.empty` if it has no rows or no columns.
    public static func readMatrix(at url: URL) throws(TensorFileError) -> LoadedMatrix {
        let array = try read(at: url, expectedRank: 2)
        return LoadedMatrix(rowCount: array.shape[0], columnCount: array.shape[1], values: array.values)
    }

    /// Reads a 1-D array.
    /// - Throws: `TensorFileError`, as `readArray`, plus `.badShape` unless the array is 1-D
    ///   and `.empty` if it has no elements.
    public static func readVector(at url: URL) throws(TensorFileError) -> [Float] {
        try read(at: url, expectedRank: 1).values
    }

    /// Writes a vector atomically: `.npy` as 1-D float32, `.json` as one array of numbers
    /// (non-finite values as Python's `NaN`, `Infinity`, `-Infinity`).
    /// - Throws: `TensorFileError` `.unsupportedFormat` for an unknown extension, `.io` if
    ///   the file cannot be written (the destination is then left as it was).
    public static func writeVector(_ values: [Float], to url: URL) throws(TensorFileError) {
        let data = switch try Format(url: url) {
        case .npy: NPYFormat.encode(vector: values)
        case .json: JSONTensorFormat.encode(vector: values)
        }
        try write(data, to: url)
    }

    /// Writes a `rowCount` × `columnCount` row-major matrix atomically: `.npy` as 2-D float32
    /// in C order, `.json` as an array of rows.
    /// - Precondition: `values.count == rowCount * columnCount`.
    /// - Throws: `TensorFileError`, as `writeVector`.
    public static func writeMatrix(_ values: [Float], rowCount: Int, columnCount: Int,
                                   to url: URL) throws(TensorFileError) {
        let data = switch try Format(url: url) {
        case .npy: NPYFormat.encode(matrix: values, rowCount: rowCount, columnCount: columnCount)
        case .json: JSONTensorFormat.encode(matrix: values, rowCount: rowCount, columnCount: columnCount)
        }
        try write(data, to: url)
    }

    // MARK: Implementation

    /// The path as the caller gave it (relative stays relative), for messages.
    static func displayPath(_ url: URL) -> String {
        url.isFileURL ? url.relativePath : url.absoluteString
    }

    static func read(at url: URL, expectedRank: Int?) throws(TensorFileError) -> LoadedArray {
        let format = try Format(url: url)
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw TensorFileError(code: .io, message: "cannot read the file: \(readFailure(error, url: url))",
                                  path: displayPath(url), cause: error)
        }
        do {
            return switch format {
            case .npy: try NPYFormat.decode(data, expectedRank: expectedRank)
            case .json: try JSONTensorFormat.decode(data, expectedRank: expectedRank)
            }
        } catch {
            var error = error
            error.path = displayPath(url)
            throw error
        }
    }

    private static func write(_ data: Data, to url: URL) throws(TensorFileError) {
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            var error = error
            error.path = displayPath(url)
            throw error
        }
    }

    /// A short reason for a failed read: "no such file", "is a directory", or Foundation's text.
    private static func readFailure(_ error: any Error, url: URL) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        return error.localizedDescription
    }
}
