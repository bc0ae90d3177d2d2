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
    } catch {
        throw reported(error)
    }
}

/// The synchronous form of ``reportingErrors(_:)-async``.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw reported(error)
    }
}

/// Prints one of our errors as one line and returns the exit code to throw; any other error
/// is returned as it is.
private func reported(_ error: any Error) -> any Error {
    let (line, code): (String, ExitCode)
    switch error {
    case let error as UsageError: (line, code) = (error.description, ExitCode(64))
    case let error as ExperimentError: (line, code) = (error.commandLineDescription, ExitCode(64))
    case let error as CommandError: (line, code) = (error.description, .failure)
    case let error as DatasetError: (line, code) = (error.message, .failure)
    case let error as OutputsFailed: (line, code) = (error.description, .failure)
    default: return error
    }
    Terminal.note("error: \(line)")
    return code
}
