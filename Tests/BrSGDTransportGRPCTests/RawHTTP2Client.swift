import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// An HTTP/2 client that writes frames exactly as a test says — half a message, a wrong
/// length prefix, two messages, no message — which no gRPC client will, and reports what
/// came back. Loopback only.
struct RawHTTP2Client: Sendable {
    typealias Channel = NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>

    /// One stream; its writer is finished when the last reference goes (NIO traps on a
    /// writer dropped unfinished).
    final class Stream: Sendable {
        let channel: Channel
        init(_ channel: Channel) { self.channel = channel }
        func write(_ frame: HTTP2Frame.FramePayload) async throws { try await channel.outbound.write(frame) }
        func reset() async throws { try await write(.rstStream(.cancel)) }
        deinit { channel.outbound.finish() }
    }

    let connection: any NIOCore.Channel
    let multiplexer: NIOHTTP2Handler.AsyncStreamMultiplexer<Void>

    static func connect(port: Int) async throws -> RawHTTP2Client {
        let (channel, multiplexer) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
                        mode: .client,
                        // Room for one large half-sent message per stream without waiting on the master.
                        configuration: NIOHTTP2Handler.Configuration(),
                        streamInitializer: { $0.eventLoop.makeSucceededVoidFuture() })
                    return (channel, multiplexer)
                }
            }
        return RawHTTP2Client(connection: channel, multiplexer: multiplexer)
    }

    func close() async {
        try? await connection.close()
    }

    /// Opens a stream to `method` of the training service with `headers` added.
    func open(_ method: String, headers extra: [(String, String)] = [],
              contentType: String = "application/grpc") async throws -> Stream {
        let stream = Stream(try await multiplexer.openStream { channel in
            channel.eventLoop.makeCompletedFuture {
                try Channel(wrappingChannelSynchronously: channel)
            }
        })
        var headers = HPACKHeaders()
        headers.add(name: ":method", value: "POST")
        headers.add(name: ":scheme", value: "http")
        headers.add(name: ":authority", value: "127.0.0.1")
        headers.add(name: ":path", value: method.hasPrefix("/") ? method : "/brsgd.v1.Training/\(method)")
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "te", value: "trailers")
        for (name, value) in extra { headers.add(name: name, value: value) }
        try await stream.write(.headers(.init(headers: headers)))
        return stream
    }

    /// The 5-byte gRPC prefix of a message of `length` bytes.
    static func prefix(length: Int, compressed: Bool = false) -> [UInt8] {
        [compressed ? 1 : 0, UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
         UInt8(length & 0xFF)]
    }

    static func send(_ bytes: [UInt8], on stream: Stream, endStream: Bool = false) async throws {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        try await stream.write(.data(.init(data: .byteBuffer(buffer), endStream: endStream)))
    }

    /// Sends `bytes` on a stream whose headers the master may refuse on their own: it can
    /// close the stream before the bytes go out, and then only the answer tells what happened.
    static func sendAfterHeadersItMayRefuse(_ bytes: [UInt8], on stream: Stream, endStream: Bool = false) async throws {
        do {
            try await send(bytes, on: stream, endStream: endStream)
        } catch ChannelError.ioOnClosedChannel {
            // Refused and closed already: the answer reads the refusal.
        }
    }

    /// What the master answered on a stream.
    struct Answer: Sendable, CustomStringConvertible {
        /// The grpc-status of the trailers, nil when none came.
        var status: Int?
        /// The `brsgd-reason` trailer.
        var reason: String?
        /// The stream was reset (RST_STREAM) or the connection went away.
        var wasReset: Bool
        var description: String { "status \(status.map(String.init) ?? "none"), reason \(reason ?? "none"), reset \(wasReset)" }
    }

    /// Reads frames until the master ends the stream (trailers, reset, or the connection closing).
    static func answer(on stream: Stream) async -> Answer {
        var answer = Answer(status: nil, reason: nil, wasReset: false)
        do {
            for try await frame in stream.channel.inbound {
                switch frame {
                case .headers(let headers):
                    if let status = headers.headers.first(name: "grpc-status") { answer.status = Int(status) }
                    if let reason = headers.headers.first(name: "brsgd-reason") { answer.reason = reason }
                    if headers.endStream { return answer }
                case .rstStream:
                    answer.wasReset = true
                    return answer
                default:
                    continue
                }
            }
            answer.wasReset = answer.status == nil
        } catch {
            answer.wasReset = true
        }
        return answer
    }
}
