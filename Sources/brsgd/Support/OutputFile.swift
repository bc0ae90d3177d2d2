import Foundation
import TensorIO

/// An output file a command will write, checked before any work: a known extension and a
/// writable directory. Every output is written atomically and on its own, so a failed
/// record does not lose the model, nor the reverse.
struct OutputFile {
    let url: URL
    let option: String

    /// Checks `path` (nil: no such output).
    /// - Parameter inputs: the command's input files and their options: an output that is
    ///   one of them (or another output already checked) would overwrite it, and is refused.
    /// - Throws: ``UsageError`` naming the option when the extension is not one of
    ///   `extensions`, the directory is missing or not writable, or the file is an input or
    ///   another output.
    static func check(_ path: String?, option: String, extensions: [String],
                      notOver inputs: [(option: String, path: String?)] = []) throws -> OutputFile? {
        guard let path else { return nil }
        guard !path.isEmpty else { throw UsageError("\(option): the path is empty") }
        for input in inputs {
            guard let other = input.path, isSameFile(path, other) else { continue }
            throw UsageError("\(option) \(path) is also \(input.option): writing it would overwrite that file; give another path")
        }
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

    /// True when two paths name one file: the same path once `.`, `..` and symbolic links
    /// are resolved, or (both existing) the same inode of the same device.
    static func isSameFile(_ a: String, _ b: String) -> Bool {
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        if resolved(a) == resolved(b) { return true }
        let manager = FileManager.default
        guard let first = try? manager.attributesOfItem(atPath: a), let second = try? manager.attributesOfItem(atPath: b),
              let inode = first[.systemFileNumber] as? Int, let device = first[.systemNumber] as? Int
        else { return false }
        return inode == second[.systemFileNumber] as? Int && device == second[.systemNumber] as? Int
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
