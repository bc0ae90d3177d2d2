import Foundation
import TensorIO

/// An output file a command will write, checked before any work: a known extension and a
/// writable directory. Every output is written atomically and on its own, so a failed
/// record does not lose the model, nor the reverse.
struct OutputFile {
    let url: URL
    let option: String

    /// Checks `path` (nil: no such output).
    /// - Throws: ``UsageError`` naming the option when the extension is not one of
    ///   `extensions` or the directory is missing or not writable.
    static func check(_ path: String?, option: String, extensions: [String]) throws -> OutputFile? {
        guard let path else { return nil }
        guard !path.isEmpty else { throw UsageError("\(option): the path is empty") }
        let url = URL(fileURLWithPath: path)
        guard extensions.contains(url.pathExtension.lowercased()) else {
            throw UsageError("\(option) \(path): the file name must end in " + extensions.map { "." + $0 }.joined(separator: " or "))
        }
        do {
            try AtomicFile.checkWritable(url)
        } catch {
            throw UsageError("\(option) \(path): \(error.message)")
        }
        return OutputFile(url: url, option: option)
    }

    /// Writes `data`; on failure, says so on standard error and returns false (the caller
    /// goes on with its other outputs and exits non-zero).
    func write(_ data: Data) -> Bool {
        do {
            try AtomicFile.write(data, to: url)
            return true
        } catch {
            Terminal.note("error: \(option) \(url.path): cannot write: \(error.message)")
            return false
        }
    }

    /// Writes a model vector as .npy or .json (by extension); false on failure, said on standard error.
    func writeVector(_ values: [Float]) -> Bool {
        do {
            try TensorFile.writeVector(values, to: url)
            return true
        } catch {
            Terminal.note("error: \(option) \(url.path): cannot write: \(error.message)")
            return false
        }
    }
}

/// The exit status of a command whose result is computed but some output failed: 1.
struct OutputsFailed: Error, CustomStringConvertible {
    var description: String { "some outputs could not be written (see above)" }
}
