import Foundation
import NIOCore
import Synchronization

/// The open round's `RoundAssignment`, encoded once and sent to every worker from the same
/// bytes.
///
/// gRPC serializes each response by itself: m workers fetching a round of d parameters would
/// make the master hold m encodings of 4·d bytes, plus the transport's framed copy of each,
/// until every worker has read its reply (at m = 100, d = 10⁷: up to 8 GB beside a 4 GB
/// matrix). Instead ``TrainingService`` answers an open round with a *placeholder* — the
/// assignment without its parameters, a few bytes — and the ``StreamGate`` of the stream,
/// where the framed reply leaves for the network, swaps it for the round's whole framed
/// assignment published here. Every reply shares that one buffer (NIO writes slices of it);
/// the bytes on the wire are those of the generated encoder.
///
/// Only the newest round is kept: a placeholder of an older round (a reply that was still
/// being written when the round closed at its deadline) is `stale`, and the gate ends that
/// stream (the worker asks again and gets the current round).
final class RoundBroadcast: Sendable {
    private struct Published {
        var placeholder: [UInt8]
        var framed: ByteBuffer
    }

    private let current = Mutex<Published?>(nil)

    init() {}

    /// Encodes round `round`'s assignment of `parameters` (status open) and makes it the one
    /// that placeholders of `round` are replaced with.
    /// - Complexity: O(d), one copy of the parameters; done once per round.
    func publish(round: Int, parameters: [Float]) {
        let published = Published(placeholder: Self.framed(Self.placeholder(round: round).bytes),
                                  framed: Self.framedAssignment(round: UInt64(round), parameters: parameters))
        current.withLock { $0 = published }
    }

    /// What ``TrainingService`` sends for open round `round`: the assignment without its
    /// parameters (the gate fills them in).
    static func placeholder(round: Int) -> Brsgd_V1_RoundAssignment {
        var assignment = Brsgd_V1_RoundAssignment()
        assignment.status = .open
        assignment.round = UInt64(round)
        return assignment
    }

    enum Substitution {
        /// Not an open round's placeholder: send as is.
        case pass
        /// The round's whole framed assignment, to send instead.
        case replace(ByteBuffer)
        /// A placeholder of a round no longer published: end the stream.
        case stale
    }

    /// What to send instead of `frame`, the bytes of one framed `RoundAssignment` reply.
    /// A placeholder is an assignment with the status open (the default, so not encoded) and
    /// no parameters: a message of at most one field, the round. Every other reply (wait,
    /// finished) encodes its status first and passes.
    /// - Complexity: O(1) (a placeholder is at most 16 bytes).
    func substitute(_ frame: ByteBuffer) -> Substitution {
        guard frame.readableBytes <= 16 else { return .pass }
        let bytes = Array(frame.readableBytesView)
        guard bytes.count >= 5, bytes.count == 5 || bytes[5] == 0x10 else { return .pass }  // no field, or field 2 (round)
        return current.withLock { published in
            guard let published, published.placeholder == bytes else { return .stale }
            return .replace(published.framed)
        }
    }

    /// `message` with gRPC's 5-byte prefix (not compressed, big-endian length).
    static func framed(_ message: [UInt8]) -> [UInt8] {
        let n = UInt32(message.count)
        return [0, UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + message
    }

    /// The framed encoding of `RoundAssignment { status: open, round, parameters }`, written
    /// straight into one buffer: field 2 (round, a varint, omitted when 0, as proto3 omits
    /// defaults), field 3 (parameters: length, then the d float32, little-endian); the status
    /// open is the default and not encoded. Byte for byte what the generated encoder writes.
    static func framedAssignment(round: UInt64, parameters: [Float]) -> ByteBuffer {
        var header: [UInt8] = []
        if round != 0 { header += [0x10] + varint(round) }
        header += [0x1A] + varint(UInt64(4 * parameters.count))
        let length = header.count + 4 * parameters.count
        var buffer = ByteBufferAllocator().buffer(capacity: 5 + length)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(length))
        buffer.writeBytes(header)
        #if _endian(little)
        parameters.withUnsafeBytes { _ = buffer.writeBytes($0) }
        #else
        for v in parameters { buffer.writeInteger(v.bitPattern, endianness: .little) }
        #endif
        return buffer
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, out: [UInt8] = []
        repeat {
            out.append(UInt8(value & 0x7F) | (value > 0x7F ? 0x80 : 0))
            value >>= 7
        } while value != 0
        return out
    }
}

extension Brsgd_V1_RoundAssignment {
    /// The message's protobuf encoding.
    var bytes: [UInt8] { (try? serializedBytes()) ?? [] }
}
