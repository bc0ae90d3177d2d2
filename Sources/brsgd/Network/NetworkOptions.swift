#if Networking  // the networked commands: built only with the Networking trait (see Package.swift)
import ArgumentParser
import BrSGDCluster
import BrSGDExperiments
import BrSGDTransportGRPC
import ByzantineAttacks
import Foundation
import Logging

/// The options of the networked master that `master` and `cluster` share.
struct MasterServingOptions: ParsableArguments {
    @Option(name: .long, help: "Close a round after this many seconds even when some workers have not submitted; they count as missing.")
    var roundTimeout = 30.0

    @Option(name: .long, help: "A file holding the shared secret workers must present (the first line; at least 16 characters).")
    var tokenFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "A file of per-worker secrets, one line '<worker id> <token>' per worker (instead of --token-file).",
        discussion: "Ids 0..<m, each once; tokens of at least 16 characters, all different; blank lines and lines starting with # are skipped. Worker i starts with --token-file holding its own token, and cannot join under another id."))
    var workerTokens: String?

    @Option(name: .long, help: "Write a checkpoint (model, momentum, round, measurements) to this file, atomically.")
    var checkpoint: String?

    @Option(name: .long, help: "Write the checkpoint every this many rounds (and after the last).")
    var checkpointEvery = 0

    @Flag(name: .long, help: "Continue from --checkpoint (when it exists) instead of starting afresh.")
    var resume = false

    @Option(name: .long, parsing: .unconditional, help: "Serve Prometheus metrics over HTTP at /metrics on this port (0: any free port).")
    var metricsPort: Int?

    @Option(name: .long, parsing: .unconditional, help: "Give up when the m workers have not all joined within this many seconds (default: wait).")
    var startTimeout: Double?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard roundTimeout > 0 && roundTimeout.isFinite else { throw ValidationError("--round-timeout must be > 0") }
        guard checkpointEvery >= 0 else { throw ValidationError("--checkpoint-every must be ≥ 0") }
        if checkpointEvery > 0 && checkpoint == nil { throw ValidationError("--checkpoint-every needs --checkpoint") }
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint") }
        if let checkpoint, !resume, FileManager.default.fileExists(atPath: checkpoint) {
            throw ValidationError(Self.existingCheckpointMessage(checkpoint))
        }
        if tokenFile != nil && workerTokens != nil {
            throw ValidationError("give --token-file (one shared secret) or --worker-tokens (one per worker), not both")
        }
        if let startTimeout, !(startTimeout > 0) { throw ValidationError("--start-timeout must be > 0") }
        if let metricsPort, !(0 ... 65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must lie in 0...65535")
        }
    }

    /// A fresh start would overwrite a checkpoint: say which round it holds and how to go on.
    static func existingCheckpointMessage(_ path: String) -> String {
        let round = (try? Data(contentsOf: URL(fileURLWithPath: path)))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }?["round"] as? Int
        return "--checkpoint \(path) exists\(round.map { " (\($0) rounds done)" } ?? ""): add --resume to go on from it, "
            + "or remove it (or give another --checkpoint) to start over"
    }

    func masterOptions(host: String, port: Int, threads: Int, workerCount: Int) throws -> NetworkMasterOptions {
        var options = NetworkMasterOptions()
        options.host = host
        options.port = port
        options.roundTimeout = .milliseconds(Int((roundTimeout * 1000).rounded()))
        options.token = try tokenFile.map(readToken)
        options.workerTokens = try workerTokens.map { try readWorkerTokens($0, workerCount: workerCount) }
        options.checkpoint = checkpoint.map { URL(fileURLWithPath: $0) }
        options.checkpointEvery = checkpointEvery
        options.resume = resume
        options.startTimeout = startTimeout.map { .milliseconds(Int(($0 * 1000).rounded())) }
        options.evaluationThreads = threads
        return options
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The fewest characters a secret (`--token-file`, `--worker-tokens`) may have.
let minimumTokenLength = 16

/// The lines of a text file, with LF, CRLF or CR endings (a file saved on Windows reads as
/// it does on Unix) and without a leading byte-order mark.
func textLines(_ text: String) -> [Substring] {
    var text = Substring(text)
    if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
    // "\r\n" is one Character in Swift: split on Unicode scalars, then drop the empty piece
    // between a CR and its LF.
    var lines: [Substring] = []
    var start = text.unicodeScalars.startIndex
    var previousWasCR = false
    for index in text.unicodeScalars.indices {
        let scalar = text.unicodeScalars[index]
        if scalar == "\n" && previousWasCR {
            start = text.unicodeScalars.index(after: index)
        } else if scalar == "\n" || scalar == "\r" {
            lines.append(Substring(text.unicodeScalars[start ..< index]))
            start = text.unicodeScalars.index(after: index)
        }
        previousWasCR = scalar == "\r"
    }
    if start < text.unicodeScalars.endIndex { lines.append(Substring(text.unicodeScalars[start...])) }
    return lines
}

/// The shared secret in `path`: its first line (LF or CRLF), which must hold at least 16
/// characters once spaces and tabs around it are trimmed.
func readToken(_ path: String) throws -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw CommandError("cannot read --token-file \(path)")
    }
    let token = textLines(text).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    guard token.count >= minimumTokenLength else {
        throw CommandError("--token-file \(path), line 1: expected a token of at least \(minimumTokenLength) characters, found \(token.count)")
    }
    return token
}

/// The per-worker secrets in `path`: lines "<worker id> <token>" (LF or CRLF) for every id
/// in 0..<workerCount, each id once, tokens of at least 16 characters and all different (a
/// shared token would let its holder take both ids); blank lines and # comments skipped.
func readWorkerTokens(_ path: String, workerCount: Int) throws -> [Int: String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw CommandError("cannot read --worker-tokens \(path)")
    }
    var tokens: [Int: String] = [:], lineOfID: [Int: Int] = [:], idOfToken: [String: Int] = [:]
    for (index, rawLine) in textLines(text).enumerated() {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        let where_ = "--worker-tokens \(path), line \(index + 1)"
        if line.isEmpty || line.hasPrefix("#") { continue }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 2, let id = Int(fields[0]) else {
            let found = fields.count == 2 ? "'\(fields[0].prefix(20))' is not a worker id"
                : "\(fields.count) field\(fields.count == 1 ? "" : "s")"
            throw CommandError("\(where_): expected '<worker id> <token>' (two fields separated by spaces), found \(found)")
        }
        let token = String(fields[1])
        guard (0 ..< workerCount).contains(id) else {
            throw CommandError("\(where_): worker id \(id) is not in 0..<\(workerCount) (--workers \(workerCount))")
        }
        if let first = lineOfID[id] {
            throw CommandError("\(where_): worker id \(id) appears again (first on line \(first))")
        }
        guard token.count >= minimumTokenLength else {
            throw CommandError("\(where_): the token of worker \(id) must have at least \(minimumTokenLength) characters, found \(token.count)")
        }
        if let other = idOfToken[token] {
            throw CommandError("\(where_): workers \(other) and \(id) have the same token; its holder could take both ids")
        }
        tokens[id] = token
        lineOfID[id] = index + 1
        idOfToken[token] = id
    }
    let missing = (0 ..< workerCount).filter { tokens[$0] == nil }
    guard missing.isEmpty else {
        let list = missing.prefix(10).map(String.init).joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
        throw CommandError("--worker-tokens \(path): no token for worker \(missing.count == 1 ? "id" : "ids") \(list); every id in 0..<\(workerCount) needs one")
    }
    return tokens
}

/// "host:port" → (host, port).
func parseAddress(_ text: String, option: String) throws -> (host: String, port: Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
          (0 ... 65535).contains(port), colon != text.startIndex
    else { throw ValidationError("\(option) must be host:port, got '\(text)'") }
    return (String(text[..<colon]), port)
}

/// Logs to standard error, one line a message with its metadata as key=value pairs.
func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

/// Mutual TLS on the master or a worker: all three files, or none.
struct TLSOptions: ParsableArguments {
    @Option(name: .long, help: "Mutual TLS: this side's certificate chain (PEM).")
    var tlsCert: String?

    @Option(name: .long, help: "Mutual TLS: this side's private key (PEM).")
    var tlsKey: String?

    @Option(name: .long, help: "Mutual TLS: the CA certificate(s) the other side's certificate must chain to (PEM).")
    var tlsCa: String?

    func validate() throws {
        let given = [tlsCert, tlsKey, tlsCa].compactMap { $0 }
        guard given.isEmpty || given.count == 3 else {
            throw ValidationError("mutual TLS needs --tls-cert, --tls-key and --tls-ca together")
        }
        for path in given where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("cannot read \(path)")
        }
    }

    var mutualTLS: MutualTLS? {
        guard let tlsCert, let tlsKey, let tlsCa else { return nil }
        return MutualTLS(certificate: tlsCert, privateKey: tlsKey, trustRoots: tlsCa)
    }
}
#endif
