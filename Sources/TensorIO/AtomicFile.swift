import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that never leave half a file: the bytes go to a temporary file in the
/// destination's directory, are flushed to disk, and the temporary file is renamed over the
/// destination (an atomic replace on POSIX file systems). Every file brsgd writes goes
/// through here, so a failed write leaves the old file (or none) and no temporary behind.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    /// - Throws: ``TensorFileError`` (`.io`) naming the step and the operating system's reason.
    public static func write(_ data: Data, to url: URL) throws(TensorFileError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw ioError("cannot create a temporary file in \(directory.path)")
        }
        var failure: TensorFileError?
        let written = data.withUnsafeBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }  // nothing to write
            var offset = 0
            while offset < bytes.count {
                let n = systemWrite(descriptor, base + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        if !written {
            failure = ioError("cannot write \(data.count) bytes")
        } else if fsync(descriptor) != 0 {
            failure = ioError("cannot flush the file to disk")
        }
        if close(descriptor) != 0 && failure == nil { failure = ioError("cannot close the file") }
        if failure == nil && rename(temporary.path, url.path) != 0 {
            failure = ioError("cannot rename the temporary file into place")
        }
        if let failure {
            unlink(temporary.path)
            throw failure
        }
    }

    /// Text written atomically as UTF-8.
    public static func write(_ text: String, to url: URL) throws(TensorFileError) {
        try write(Data(text.utf8), to: url)
    }

    /// Checks, before any work, that `url` can be written: its directory exists, is a
    /// directory and is writable, and `url` itself is not a directory.
    /// - Throws: ``TensorFileError`` (`.io`) saying which of these fails.
    public static func checkWritable(_ url: URL) throws(TensorFileError) {
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw TensorFileError(code: .io, message: "the directory \(directory.path) does not exist")
        }
        guard isDirectory.boolValue else {
            throw TensorFileError(code: .io, message: "\(directory.path) is not a directory")
        }
        guard access(directory.path, W_OK) == 0 else {
            throw TensorFileError(code: .io, message: "the directory \(directory.path) is not writable")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw TensorFileError(code: .io, message: "\(url.path) is a directory")
        }
    }

    /// An `.io` error with the current `errno`'s description.
    private static func ioError(_ what: String) -> TensorFileError {
        let code = errno
        return TensorFileError(code: .io, message: "\(what): \(String(cString: strerror(code)))",
                               cause: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO))
    }
}

/// POSIX `write(2)`, under a name the static `AtomicFile.write(_:to:)` does not shadow.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
