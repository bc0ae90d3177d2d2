import ArgumentParser
import BrSGDRecords
import Datasets

/// Input the command refuses before any work: printed as one line naming the option, the
/// value and what is allowed, exit code 64 (EX_USAGE, as the argument parser's own errors).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    /// An experiment error, naming the option as the command line spells it.
    init(_ error: ExperimentError) { self.init(error.commandLineDescription) }
}

/// Runs a command's body and turns our errors into what the user sees: a usage error (or
/// an experiment error) into one line on standard error and exit code 64; a command error,
/// missing data or a failed output into one line and exit code 1. Anything else is left to
/// the argument parser.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as UsageError {
        Terminal.note("error: \(error.description)")
        throw ExitCode(64)
    } catch let error as ExperimentError {
        Terminal.note("error: \(error.commandLineDescription)")
        throw ExitCode(64)
    } catch let error as CommandError {
        Terminal.note("error: \(error.description)")
        throw ExitCode.failure
    } catch let error as DatasetError {
        Terminal.note("error: \(error.message)")
        throw ExitCode.failure
    } catch let error as OutputsFailed {
        Terminal.note("error: \(error.description)")
        throw ExitCode.failure
    }
}

/// The synchronous form of ``reportingErrors(_:)-async``.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as UsageError {
        Terminal.note("error: \(error.description)")
        throw ExitCode(64)
    } catch let error as ExperimentError {
        Terminal.note("error: \(error.commandLineDescription)")
        throw ExitCode(64)
    } catch let error as CommandError {
        Terminal.note("error: \(error.description)")
        throw ExitCode.failure
    } catch let error as DatasetError {
        Terminal.note("error: \(error.message)")
        throw ExitCode.failure
    } catch let error as OutputsFailed {
        Terminal.note("error: \(error.description)")
        throw ExitCode.failure
    }
}
