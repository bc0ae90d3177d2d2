import Foundation

/// A record file could not be written or read; names the file and what went wrong.
public struct ExperimentFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable, snake_case name, e.g. `write_failed`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The record could not be encoded as JSON.
        public static let encodingFailed = Code("encoding_failed")
        /// The file could not be written or moved into place.
        public static let writeFailed = Code("write_failed")
        /// The file or directory could not be read.
        public static let readFailed = Code("read_failed")
        /// The file is not valid JSON for a ``RunRecord``.
        public static let decodingFailed = Code("decoding_failed")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The file (or directory) concerned.
    public var url: URL
    /// Why it failed.
    public var reason: String

    /// Creates an error.
    public init(_ code: Code, url: URL, reason: String) {
        self.code = code
        self.url = url
        self.reason = reason
    }

    public var description: String { "\(url.path): \(code): \(reason)" }
}
