import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that never leave half a file: the bytes go to a temporary file in the
/// destination's directory, are flushed to disk, and the temporary file is renamed over the
/// destination (an atomic replace on POSIX file systems).
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws(TensorFileError) {
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
