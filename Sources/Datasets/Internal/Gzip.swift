import CZlib

/// gzip decompression with zlib, into a growing buffer.
///
/// Uses `inflateInit2` with `16 + MAX_WBITS` (gzip wrapper only). Concatenated gzip
/// members (RFC 1952 §2.2) are inflated one after another. A stream that stops before
/// `Z_STREAM_END` is reported as truncated; `Z_DATA_ERROR` (bad deflate data, bad
/// header, failed CRC-32 or length check) as corrupt.
///
/// - Complexity: O(n) in the decompressed size; the output buffer doubles as it grows,
///   starting from the size recorded in the gzip trailer (ISIZE) when that is plausible.
enum Gzip {
    /// The two magic bytes that start every gzip member.
    static let magic: (UInt8, UInt8) = (0x1f, 0x8b)

    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == magic.0 && bytes[1] == magic.1
    }

    /// Inflates `compressed`, stopping early once `prefixLength` bytes are out if that is
    /// given (the rest of the stream, and its CRC, are then not checked).
    /// - Returns: the bytes, and whether the whole stream was inflated and verified.
    static func decompress(
        _ compressed: [UInt8], path: String, prefixLength: Int? = nil
    ) throws(DatasetError) -> (bytes: [UInt8], isComplete: Bool) {
        var output = [UInt8](repeating: 0, count: initialCapacity(compressed, prefixLength: prefixLength))
        var written = 0
        var stream = z_stream()
        let initStatus = inflateInit2_(
            &stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw DatasetError(
                code: .unreadableFile,
                message: "zlib could not start inflating \(path) (inflateInit2 returned \(initStatus)).",
                path: path)
        }
        defer { inflateEnd(&stream) }

        var failure: DatasetError?
        var isComplete = false
        compressed.withUnsafeBufferPointer { input in
            // zlib counts input in UInt32: feed inputs over 4 GiB in chunks.
            var fed = 0
            func consumed() -> Int { fed - Int(stream.avail_in) }
            while true {
                if let prefixLength, written >= prefixLength { return }
                if stream.avail_in == 0, fed < input.count {
                    let chunk = Swift.min(input.count - fed, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + fed)
                    stream.avail_in = UInt32(chunk)
                    fed += chunk
                }
                if written == output.count {
                    output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16)))
                }
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + written
                    let room = out.count - written
                    stream.avail_out = UInt32(clamping: room)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    written += room - Int(stream.avail_out)
                    return status
                }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    // Another gzip member may follow; anything else is trailing garbage.
                    let consumed = consumed()
                    if consumed == input.count { isComplete = true; return }
                    if consumed + 1 < input.count, input[consumed] == magic.0, input[consumed + 1] == magic.1 {
                        inflateReset(&stream)
                        continue
                    }
                    failure = DatasetError(
                        code: .corruptCompressedData,
                        message: "\(path) has \(input.count - consumed) bytes of trailing data after its gzip stream; the file is damaged. Download it again.",
                        path: path)
                    return
                case Z_BUF_ERROR where consumed() == input.count:
                    failure = truncated(path, compressedCount: input.count, written: written)
                    return
                case Z_BUF_ERROR:
                    continue  // no room for output: the loop grows the buffer
                case Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR:
                    let reason = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    failure = DatasetError(
                        code: .corruptCompressedData,
                        message: "\(path) is not a valid gzip file (zlib: \(reason), after \(written) decompressed bytes); the file is damaged. Download it again.",
                        path: path)
                    return
                case Z_MEM_ERROR:
                    failure = DatasetError(
                        code: .unreadableFile,
                        message: "zlib ran out of memory while inflating \(path).", path: path)
                    return
                default:
                    failure = DatasetError(
                        code: .corruptCompressedData,
                        message: "zlib returned \(status) while inflating \(path).", path: path)
                    return
                }
            }
        }
        if let failure { throw failure }
        output.removeSubrange(written...)
        return (output, isComplete)
    }

    private static func truncated(_ path: String, compressedCount: Int, written: Int) -> DatasetError {
        DatasetError(
            code: .truncatedCompressedData,
            message: "\(path) is truncated: its gzip stream ends after \(compressedCount) compressed bytes (\(written) decompressed) without an end marker. The download was probably cut short; download it again.",
            path: path)
    }

    /// The output size to start with: ISIZE from the trailer (the uncompressed length
    /// mod 2³²) when it is plausible, else a multiple of the input.
    private static func initialCapacity(_ compressed: [UInt8], prefixLength: Int?) -> Int {
        let fallback = max(1 << 16, compressed.count * 4)
        var guess = fallback
        if compressed.count >= 18 {
            let n = compressed.count
            let isize = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8
                | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
            // One spare byte lets inflate report Z_STREAM_END without a regrow.
            // Deflate cannot expand more than ~1032:1; a larger ratio means a damaged trailer.
            if isize > 0, isize <= compressed.count * 1032 { guess = isize + 1 }
        }
        if let prefixLength { guess = min(guess, max(prefixLength, 1 << 12)) }
        return max(guess, 1)
    }
}
