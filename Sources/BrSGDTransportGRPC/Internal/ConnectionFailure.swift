import GRPCCore
import Foundation
import NIOCore

/// Why a call did not reach the master, in words a user can act on: the transport's error
/// names the symptom ("could not establish a connection", "closed the connection before
/// the HTTP/2 preface"); its cause, when there is one, the reason (ECONNREFUSED, a TLS alert).
enum ConnectionFailure {
    /// - Parameter usesTLS: whether this side speaks TLS (a plaintext worker whose
    ///   connection is closed before HTTP/2 starts is most likely talking to a TLS master).
    static func describe(_ error: RPCError, usesTLS: Bool) -> String {
        let causes = chain(error)
        if causes.contains(where: { ($0 as? IOError)?.errnoCode == ECONNREFUSED }) {
            return "connection refused: nothing listens there (is the master running, and on this port?)"
        }
        if let tls = causes.lazy.map({ "\($0)" }).first(where: { $0.contains("SSL routines") || $0.contains("sslError") }) {
            return "TLS handshake failed: \(tlsReason(tls)) (the master did not accept this worker's certificate, "
                + "or this worker does not trust the master's: are both signed by the CA each is given?)"
        }
        if error.message.contains("before completing the HTTP/2 connection preface") {
            return usesTLS
                ? "the master closed the connection before HTTP/2 began (does it use TLS? it may be a plaintext master)"
                : "the master closed the connection before HTTP/2 began: it may use TLS (give --tls-cert, --tls-key and --tls-ca), or not be a brsgd master"
        }
        if error.code == .deadlineExceeded { return "no answer in time (deadline exceeded)" }
        return "\(error.code): \(error.message)"
    }

    /// The error and its causes, outermost first.
    private static func chain(_ error: any Error) -> [any Error] {
        var out: [any Error] = [error]
        var current: any Error = error
        while out.count < 8, let rpc = current as? RPCError, let cause = rpc.cause {
            out.append(cause)
            current = cause
        }
        return out
    }

    /// BoringSSL's reason (`TLSV1_ALERT_UNKNOWN_CA`) out of its error text, or the text.
    static func tlsReason(_ text: String) -> String {
        guard let range = text.range(of: "OPENSSL_internal:") else { return text }
        return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }
}
