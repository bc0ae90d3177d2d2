import Foundation
import GRPCCore

/// A `SubmitGradient` request (brsgd.v1 `GradientSubmission`) that keeps the gradient where
/// it arrived: in the transport's buffer of the message. The generated decoder would copy the
/// 4·d bytes into a `Data` (which the master then unpacked into a `[Float]`, and then copied
/// into the matrix row: three copies of every upload alive at once); this one records where
/// the gradient's bytes are, and the master writes them into the row from there.
struct GradientUpload: @unchecked Sendable {  // the bytes are never written after decoding
    var workerID: UInt32 = 0
    var session = Data()
    var round: UInt64 = 0
    var loss: Float = 0
    /// The whole message, as the transport handed it over.
    private let message: any GRPCContiguousBytes
    /// Where field 4 (`gradient`) lies in `message` (empty when absent).
    private(set) var gradientRange: Range<Int> = 0 ..< 0

    /// The gradient's bytes (packed little-endian float32), valid inside `body` only.
    func withGradientBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try message.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[gradientRange])) }
    }

    var gradientByteCount: Int { gradientRange.count }

    /// Decodes `message` by the protobuf wire format of `GradientSubmission`: fields 1
    /// (`worker_id`, varint), 2 (`session`, bytes), 3 (`round`, varint), 4 (`gradient`,
    /// bytes), 5 (`loss`, fixed32); the last occurrence of a field wins and unknown fields are
    /// skipped, as for any protobuf decoder. Nothing is copied but the session (16 bytes).
    /// - Throws: ``WireFormatError`` for bytes that are not such a message.
    /// - Complexity: O(number of fields), independent of d.
    init(decoding message: some GRPCContiguousBytes) throws(WireFormatError) {
        self.message = message
        let fields = try message.withUnsafeBytes { raw in Result { () throws(WireFormatError) in try Self.fields(of: raw) } }.get()
        workerID = fields.workerID
        session = fields.session
        round = fields.round
        loss = fields.loss
        gradientRange = fields.gradient
    }

    private static func fields(of raw: UnsafeRawBufferPointer) throws(WireFormatError) -> Fields {
        var reader = WireReader(raw)
        var fields = Fields()
        while let (number, value) = try reader.nextField() {
            switch (number, value) {
            case (1, .varint(let v)): fields.workerID = UInt32(truncatingIfNeeded: v)
            case (2, .bytes(let range)): fields.session = Data(raw[range])
            case (3, .varint(let v)): fields.round = v
            case (4, .bytes(let range)): fields.gradient = range
            case (5, .fixed32(let bits)): fields.loss = Float(bitPattern: bits)
            case (1 ... 5, _): throw WireFormatError("field \(number) has the wrong wire type")
            default: break
            }
        }
        return fields
    }

    private struct Fields {
        var workerID: UInt32 = 0, session = Data(), round: UInt64 = 0, loss: Float = 0
        var gradient: Range<Int> = 0 ..< 0
    }
}

/// Bytes that are not a protobuf message of the expected type.
struct WireFormatError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads protobuf wire format (varint, 64-bit, length-delimited and 32-bit fields; groups
/// are refused) field by field, without copying.
struct WireReader {
    enum Value {
        case varint(UInt64), fixed64(UInt64), bytes(Range<Int>), fixed32(UInt32)
    }

    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The next field's number and value, or nil at the end of the message.
    mutating func nextField() throws(WireFormatError) -> (number: UInt64, value: Value)? {
        guard offset < bytes.count else { return nil }
        let key = try varint()
        let number = key >> 3
        guard number >= 1 else { throw WireFormatError("field number 0") }
        switch key & 7 {
        case 0: return (number, .varint(try varint()))
        case 1: return (number, .fixed64(UInt64(littleEndian: try fixed(UInt64.self))))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else { throw WireFormatError("a field runs past the message's end") }
            let range = offset ..< offset + Int(length)
            offset = range.upperBound
            return (number, .bytes(range))
        case 5: return (number, .fixed32(UInt32(littleEndian: try fixed(UInt32.self))))
        default: throw WireFormatError("wire type \(key & 7) is not accepted")
        }
    }

    private mutating func varint() throws(WireFormatError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 70, by: 7) {
            guard offset < bytes.count else { throw WireFormatError("the message ends inside a varint") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 63 || byte <= 1 else { throw WireFormatError("a varint of more than 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
        }
        throw WireFormatError("a varint of more than 10 bytes")
    }

    private mutating func fixed<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type) throws(WireFormatError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw WireFormatError("the message ends inside a fixed-size field") }
        defer { offset += size }
        return bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
    }
}

/// Decodes `SubmitGradient` requests into ``GradientUpload`` (registered by ``TrainingService``).
struct GradientUploadDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> GradientUpload {
        do {
            return try GradientUpload(decoding: serializedMessageBytes)
        } catch {
            // Counted as malformed by MalformedRequestInterceptor, as the generated decoder's error was.
            throw RPCError(code: .invalidArgument, message: "Can't deserialize to message of type GradientSubmission: \(error)",
                           cause: error)
        }
    }
}
