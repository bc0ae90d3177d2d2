/// The parsed preamble of a `.npy` file: element type, layout, shape, and where the data starts.
///
/// Layout (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// the 6-byte magic `\x93NUMPY`, a major and a minor version byte, the header length
/// (little-endian `UInt16` in version 1.0, `UInt32` in 2.0 and 3.0), then the header: a Python
/// dict literal with keys `'descr'`, `'fortran_order'` and `'shape'`, padded with spaces and
/// ended by `'\n'`. The data follows immediately.
struct NPYHeader: Equatable {
    enum ScalarType: Equatable {
        case float32, float64

        var byteCount: Int { self == .float32 ? 4 : 8 }
        var name: String { self == .float32 ? "float32" : "float64" }
    }

    var scalarType: ScalarType
    /// Whether the file's bytes are big-endian (`'>f4'`, `'>f8'`).
    var isBigEndian: Bool
    var isFortranOrder: Bool
    var shape: [Int]
    /// The byte offset of the first data byte.
    var dataOffset: Int

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    static let supportedDescrs = ["<f4", "<f8", ">f4", ">f8"]

    /// Parses the preamble at the start of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(TensorFileError) -> NPYHeader {
        guard !bytes.isEmpty else {
            throw TensorFileError(code: .empty, message: "the file is empty (0 bytes)")
        }
        let magicPrefix = Array(bytes.prefix(magic.count))
        guard magicPrefix == Array(magic.prefix(magicPrefix.count)) else {
            throw TensorFileError(code: .malformed,
                                  message: "not a .npy file: it does not start with the magic string \\x93NUMPY")
        }
        guard bytes.count >= 10 else {
            throw TensorFileError(code: .truncated,
                                  message: "the file holds \(bytes.count) bytes, fewer than the 10-byte .npy preamble")
        }
        let major = bytes[6], minor = bytes[7]
        let lengthFieldSize: Int
        switch major {
        case 1: lengthFieldSize = 2
        case 2, 3: lengthFieldSize = 4
        default:
            throw TensorFileError(code: .unsupportedFormat,
                                  message: ".npy format version \(major).\(minor) is not supported (1.0, 2.0 and 3.0 are)")
        }
        guard bytes.count >= 8 + lengthFieldSize else {
            throw TensorFileError(code: .truncated,
                                  message: "the file holds \(bytes.count) bytes and ends inside the header length")
        }
        var headerLength = 0
        for k in 0..<lengthFieldSize { headerLength |= Int(bytes[8 + k]) << (8 * k) }
        let headerStart = 8 + lengthFieldSize
        let dataOffset = headerStart + headerLength
        guard bytes.count >= dataOffset else {
            throw TensorFileError(code: .truncated,
                                  message: "the header should be \(headerLength) bytes but the file ends after \(bytes.count - headerStart)")
        }
        let headerBytes = Array(bytes[headerStart..<dataOffset])
        let literal: PythonLiteral
        do {
            literal = try PythonLiteral.parse(headerBytes)
        } catch {
            let text = String(decoding: headerBytes, as: UTF8.self).trimmingSpaces()
            throw TensorFileError(code: .malformed,
                                  message: "cannot parse the header \(text): \(error.message) at character \(error.offset)")
        }
        return try interpret(literal, dataOffset: dataOffset)
    }

    private static func interpret(_ literal: PythonLiteral, dataOffset: Int) throws(TensorFileError) -> NPYHeader {
        guard case .dict(let entries) = literal else {
            throw TensorFileError(code: .malformed, message: "the header is not a dict")
        }
        for key in ["descr", "fortran_order", "shape"] where entries[key] == nil {
            throw TensorFileError(code: .malformed, message: "the header has no '\(key)' key")
        }
        let scalarType: ScalarType, isBigEndian: Bool
        switch entries["descr"] {
        case .string("<f4"): (scalarType, isBigEndian) = (.float32, false)
        case .string("<f8"): (scalarType, isBigEndian) = (.float64, false)
        case .string(">f4"): (scalarType, isBigEndian) = (.float32, true)
        case .string(">f8"): (scalarType, isBigEndian) = (.float64, true)
        case .string(let other):
            throw TensorFileError(code: .unsupportedDType,
                                  message: "dtype '\(other)'\(dtypeName(other).map { " (\($0))" } ?? "") is not supported; "
                                      + "TensorIO reads float32 and float64 ('<f4', '<f8', '>f4', '>f8')")
        default:
            throw TensorFileError(code: .unsupportedDType,
                                  message: "structured dtypes are not supported; save a plain float32 or float64 array")
        }
        guard case .bool(let isFortranOrder) = entries["fortran_order"] else {
            throw TensorFileError(code: .malformed, message: "'fortran_order' is not True or False")
        }
        let items: [PythonLiteral]
        switch entries["shape"] {
        case .tuple(let t), .list(let t): items = t
        default: throw TensorFileError(code: .malformed, message: "'shape' is not a tuple")
        }
        var shape: [Int] = []
        for item in items {
            guard case .int(let extent) = item, extent >= 0 else {
                throw TensorFileError(code: .malformed, message: "'shape' holds something other than non-negative ints")
            }
            shape.append(extent)
        }
        return NPYHeader(scalarType: scalarType, isBigEndian: isBigEndian,
                         isFortranOrder: isFortranOrder, shape: shape, dataOffset: dataOffset)
    }

    /// NumPy's name for a descr like `<i8` (int64) or `<c8` (complex64), when it has one.
    static func dtypeName(_ descr: String) -> String? {
        var rest = Substring(descr)
        if let first = rest.first, "<>|=".contains(first) { rest = rest.dropFirst() }
        guard let kind = rest.first else { return nil }
        let size = Int(rest.dropFirst())
        let bits = size.map { String($0 * 8) } ?? ""
        switch kind {
        case "f": return "float" + bits
        case "i": return "int" + bits
        case "u": return "uint" + bits
        case "c": return "complex" + bits
        case "b": return "bool"
        case "O": return "Python objects"
        case "U": return "unicode strings"
        case "S", "a": return "byte strings"
        case "V": return "raw bytes"
        case "M": return "datetime64"
        case "m": return "timedelta64"
        default: return nil
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.last, c == " " || c == "\n" || c == "\0" { s = s.dropLast() }
        while let c = s.first, c == " " { s = s.dropFirst() }
        return String(s)
    }
}
