#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The strings the C interface hands out: malloc'd, NUL-terminated UTF-8, owned by the
/// caller until it passes them to `brsgd_free`.
enum CString {
    /// A malloc'd copy of `text`, or nil when memory runs out.
    static func allocate(_ text: String) -> UnsafeMutablePointer<CChar>? {
        var text = text
        return text.withUTF8 { bytes in
            guard let copy = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
            bytes.withMemoryRebound(to: CChar.self) { source in
                if let base = source.baseAddress { copy.initialize(from: base, count: source.count) }
            }
            copy[bytes.count] = 0
            return copy
        }
    }

    /// Releases a string from ``allocate(_:)``; nil is ignored.
    static func free(_ pointer: UnsafeMutableRawPointer?) {
        #if canImport(Glibc)
        Glibc.free(pointer)
        #else
        Darwin.free(pointer)
        #endif
    }
}
