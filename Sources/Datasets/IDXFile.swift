import Foundation

/// A file in the IDX format of LeCun's MNIST page (http://yann.lecun.com/exdb/mnist/),
/// which FashionMNIST (Xiao, Rasul & Vollgraf 2017) reuses unchanged, gzip-compressed or
/// not.
///
/// Format: a 4-byte magic number `00 00 TT NN` (TT = element type, 0x08 for unsigned
/// bytes; NN = number of dimensions), then NN big-endian UInt32 dimension sizes, then the
/// elements in row-major order. Images are `00 00 08 03` with dimensions
/// (count, rows, columns); labels are `00 00 08 01` with dimension (count). Only
/// unsigned-byte files are read: that is all MNIST and FashionMNIST use.
///
/// ```swift
/// let images = try IDXFile(contentsOf: "train-images-idx3-ubyte.gz", rank: 3)
/// images.dimensions   // [60000, 28, 28]
/// ```
public struct IDXFile: Sendable {
    /// The element type code for unsigned bytes.
    public static let unsignedByteType: UInt8 = 0x08

    /// The dimension sizes of `payload`, outermost first.
    public var dimensions: [Int]
    /// The dimension sizes as the header declares them (differs from `dimensions` only in
    /// the first entry, when a `limit` cut the file short).
    public var headerDimensions: [Int]
    /// The elements, row-major; `payload.count` is the product of `dimensions`, or of
    /// `[limit] + dimensions.dropFirst()` when the file was read with a `limit`.
    public var payload: [UInt8]
    /// The path the file was read from, for messages.
    public var path: String

    /// Reads an IDX file of unsigned bytes with `rank` dimensions. A file that starts
    /// with the gzip magic bytes (1f 8b) is inflated first; any other file is read as is.
    ///
    /// With a `limit` below the declared count, only the first `limit` items along the
    /// first dimension are kept and checked, and a compressed file is inflated only that
    /// far (so the rest of the file is not checked); otherwise the payload must be
    /// exactly as long as the header says.
    ///
    /// - Throws: `DatasetError` with code `.unreadableFile`, `.corruptCompressedData`,
    ///   `.truncatedCompressedData`, `.badMagicNumber`, `.malformedHeader` or
    ///   `.truncatedPayload`; each message names the file.
    /// - Complexity: O(size of the file), or O(limit items) with a limit.
    public init(contentsOf path: String, rank: Int, limit: Int? = nil) throws(DatasetError) {
        precondition(rank >= 1 && rank <= 255, "IDX rank must lie in 1...255")
        precondition(limit.map { $0 >= 0 } ?? true, "limit must not be negative")
        let raw: [UInt8]
        do {
            raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DatasetError(
                code: .unreadableFile,
                message: "cannot read \(path): \(error.localizedDescription)", path: path)
        }
        if Gzip.isGzip(raw) {
            // Read the header first (cheap) to know how many bytes a limit needs.
            var prefix: Int? = nil
            if let limit {
                let head = try Gzip.decompress(raw, path: path, prefixLength: 4 + 4 * rank).bytes
                let header = try IDXFile.parseHeader(head, rank: rank, path: path, isWholeFile: false)
                prefix = header.offset + min(limit, header.dimensions[0]) * header.itemSize
            }
            let (bytes, isComplete) = try Gzip.decompress(raw, path: path, prefixLength: prefix)
            try self.init(bytes: bytes, rank: rank, limit: limit, path: path, isWholeFile: isComplete)
        } else {
            try self.init(bytes: raw, rank: rank, limit: limit, path: path, isWholeFile: true)
        }
    }

    /// Parses IDX bytes already in memory (uncompressed). `isWholeFile: false` means the
    /// bytes are a prefix of the file, so only their being long enough can be checked;
    /// so does a `limit` below the declared count.
    public init(
        bytes: [UInt8], rank: Int, limit: Int? = nil, path: String, isWholeFile: Bool = true
    ) throws(DatasetError) {
        let header = try IDXFile.parseHeader(bytes, rank: rank, path: path, isWholeFile: isWholeFile)
        let available = bytes.count - header.offset
        let expected = header.dimensions.reduce(1, *)
        let isLimited = limit.map { $0 < header.dimensions[0] } ?? false
        if isWholeFile, !isLimited, available != expected {
            let what = available < expected ? "is truncated" : "is longer than its header says"
            throw DatasetError(
                code: .truncatedPayload,
                message: "\(path) \(what): its header \(header.dimensions) needs \(expected) bytes of data after the \(header.offset)-byte header, but the file has \(available). Download it again.",
                path: path)
        }
        let kept = min(limit ?? header.dimensions[0], header.dimensions[0])
        let needed = kept * header.itemSize
        if available < needed {
            throw DatasetError(
                code: .truncatedPayload,
                message: "\(path) is truncated: its header \(header.dimensions) needs \(needed) bytes of data for the first \(kept) items, but the file has \(available). Download it again.",
                path: path)
        }
        dimensions = [kept] + header.dimensions.dropFirst()
        headerDimensions = header.dimensions
        payload = Array(bytes[header.offset..<(header.offset + needed)])
        self.path = path
    }

    /// The header: dimensions, the payload's byte offset, and bytes per outermost item.
    static func parseHeader(
        _ bytes: [UInt8], rank: Int, path: String, isWholeFile: Bool
    ) throws(DatasetError) -> (dimensions: [Int], offset: Int, itemSize: Int) {
        let expectedMagic = String(format: "00 00 08 %02x", rank)
        guard bytes.count >= 4 else {
            throw DatasetError(
                code: .malformedHeader,
                message: "\(path) is too short to be an IDX file (\(bytes.count) bytes; expected the magic number \(expectedMagic)).",
                path: path)
        }
        guard bytes[0] == 0, bytes[1] == 0, bytes[2] == unsignedByteType, Int(bytes[3]) == rank else {
            let found = bytes[0..<4].map { String(format: "%02x", $0) }.joined(separator: " ")
            throw DatasetError(
                code: .badMagicNumber,
                message: "\(path) has the magic number \(found), expected \(expectedMagic) (an IDX file of unsigned bytes with \(rank) dimension\(rank == 1 ? "" : "s")). Is it the right file (images vs labels), and an MNIST-format file at all?",
                path: path)
        }
        let offset = 4 + 4 * rank
        guard bytes.count >= offset else {
            throw DatasetError(
                code: .malformedHeader,
                message: "\(path) is truncated inside its IDX header: \(bytes.count) bytes, the header alone needs \(offset).",
                path: path)
        }
        var dimensions: [Int] = []
        for k in 0..<rank {
            let b = bytes[(4 + 4 * k)...]
            let size = Int(b[b.startIndex]) << 24 | Int(b[b.startIndex + 1]) << 16
                | Int(b[b.startIndex + 2]) << 8 | Int(b[b.startIndex + 3])
            dimensions.append(size)
        }
        if dimensions.dropFirst().contains(0) {
            throw DatasetError(
                code: .malformedHeader,
                message: "\(path) declares a zero-sized item dimension: \(dimensions).", path: path)
        }
        let itemSize = dimensions.dropFirst().reduce(1, *)
        return (dimensions, offset, itemSize)
    }
}
