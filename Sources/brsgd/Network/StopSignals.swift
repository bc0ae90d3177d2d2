#if Networking  // the networked commands: built only with the Networking trait (see Package.swift)
import ArgumentParser
import Dispatch
import Foundation

/// SIGTERM or SIGINT ended a command; it exits with 128 + the signal's number (143, 130)
/// after it has cleaned up.
struct StoppedBySignal: Error {
    var signal: Int32
    var name: String { signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "signal \(signal)" }
    var exitCode: ExitCode { ExitCode(128 + signal) }
}

/// Runs `body` and cancels it when the process receives SIGTERM or SIGINT, so that it
/// unwinds as any cancelled task does (its `defer`s run, the master writes its checkpoint,
/// a worker leaves); then throws ``StoppedBySignal``. A second signal while `body` unwinds
/// acts as usual (the default action ends the process at once).
///
/// With `onSignal`, the body is not cancelled: `onSignal` is called instead (a master is
/// asked to stop, so that its server drains rather than being torn down).
func cancellingOnStopSignals<R: Sendable>(onSignal: (@Sendable () -> Void)? = nil,
                                          _ body: @escaping @Sendable () async throws -> R) async throws -> R {
    let signals: [Int32] = [SIGTERM, SIGINT]
    let (received, sink) = AsyncStream.makeStream(of: Int32.self)
    let sources = signals.map { number in
        // The default action would end the process before any cleanup: deliver it to the
        // source instead.
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            // One delivery is enough: a second signal ends the process as it normally would.
            for number in signals { signal(number, SIG_DFL) }
            sink.yield(number)
        }
        source.resume()
        return source
    }
    defer {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
        sink.finish()
    }
    return try await withThrowingTaskGroup(of: StopOutcome<R>?.self) { group in
        group.addTask {
            do { return .ended(.success(try await body())) } catch { return .ended(.failure(error)) }
        }
        group.addTask {
            for await number in received { return .signal(number) }
            return nil
        }
        var stop: Int32?
        while let outcome = try await group.next() {
            switch outcome {
            case .ended(let result)?:
                group.cancelAll()
                // Whatever the body threw while it unwound (CancellationError): the signal is the news.
                if let stop { throw StoppedBySignal(signal: stop) }
                return try result.get()
            case .signal(let number)?:
                stop = number
                if let onSignal { onSignal() } else { group.cancelAll() }
            case nil:
                break
            }
        }
        throw StoppedBySignal(signal: stop ?? SIGTERM)
    }
}

/// What ended first: the body (with its result) or a signal.
private enum StopOutcome<R: Sendable>: Sendable {
    case ended(Result<R, any Error>)
    case signal(Int32)
}
#endif
