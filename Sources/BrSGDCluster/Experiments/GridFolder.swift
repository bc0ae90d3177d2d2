import BrSGDRecords
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `runs/` folder of a grid's output directory, where each run's record is kept as
/// `<id>.json`: one experiment per folder, one grid at a time.
public struct GridFolder: Sendable {
    /// The folder of run records.
    public let runs: URL

    public init(runs: URL) { self.runs = runs }

    /// Records of the folder that are runs of another experiment than `grid`'s base.
    public struct ForeignRuns: Sendable {
        /// Their file names in ``GridFolder/runs``.
        public var fileNames: [String]
        /// Every field in which some of them differ from `grid`'s cell on their axes, each
        /// once (with the value of the first record that differs in it).
        public var differences: [ExperimentFieldDifference]
    }

    /// The records in the folder that `grid` would not have made on their own axes: runs
    /// over another base (other epochs, batch size, test subset, …). A run over the same
    /// base that this grid does not ask for (a larger grid's) is not foreign.
    ///
    /// - Complexity: O(records × size of a record).
    public func foreignRuns(of grid: some ExperimentGrid) throws -> ForeignRuns {
        guard FileManager.default.fileExists(atPath: runs.path) else { return ForeignRuns(fileNames: [], differences: []) }
        var fileNames: [String] = []
        var differences: [ExperimentFieldDifference] = []
        var seen = Set<String>()
        for record in try RunRecord.readAll(in: runs).sorted(by: { $0.fileName < $1.fileName }) {
            let expected = grid.cell(like: record.config)
            guard expected.id != record.config.id else { continue }
            fileNames.append(record.fileName)
            for difference in expected.differences(from: record.config) where seen.insert(difference.field).inserted {
                differences.append(difference)
            }
        }
        return ForeignRuns(fileNames: fileNames, differences: differences)
    }

    /// Deletes the named records from the folder.
    public func remove(_ fileNames: [String]) throws {
        for name in fileNames { try FileManager.default.removeItem(at: runs.appendingPathComponent(name)) }
    }
}

/// An exclusive lock on a directory, held while the value lives: `<directory>/.lock`,
/// locked with `flock` (released by the system when the process ends, however it ends)
/// and holding the holder's process id.
public final class DirectoryLock: Sendable {
    private let descriptor: Int32

    /// The lock is held by another process.
    public struct Held: Error, Sendable {
        /// That process's id, as it wrote it (nil when it could not be read).
        public var holder: Int32?
    }

    /// Takes the lock at once, or throws ``Held``.
    /// - Throws: ``Held`` when another process holds it; a POSIX error when the file cannot be opened.
    public init(directory: URL) throws {
        let path = directory.appendingPathComponent(".lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw Held(holder: text.flatMap { Int32($0) })
        }
        self.descriptor = descriptor
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
