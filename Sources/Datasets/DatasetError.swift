/// An error from reading or locating a dataset: a code to branch on, and a message that
/// says what was wrong, in which file, and (for a missing dataset) how to get the data.
///
/// ```swift
/// do { _ = try LabeledDataset.load(.fashionMNIST, split: .test) }
/// catch let error as DatasetError where error.code == .datasetNotFound { … }
/// ```
///
/// `Code` is a struct, not an enum, so new codes can be added without breaking callers
/// (the pattern of gRPC Swift's `RPCError.Code`).
public struct DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable, snake_case name, e.g. `truncated_payload`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A file exists but could not be opened or read.
        public static let unreadableFile = Code("unreadable_file")
        /// A gzip stream is damaged (bad header, bad deflate data or a failed CRC check).
        public static let corruptCompressedData = Code("corrupt_compressed_data")
        /// A gzip stream ends before its end marker: the file was cut short.
        public static let truncatedCompressedData = Code("truncated_compressed_data")
        /// An IDX file does not start with the expected magic number.
        public static let badMagicNumber = Code("bad_magic_number")
        /// An IDX header is malformed (too short, a zero dimension, an unexpected shape).
        public static let malformedHeader = Code("malformed_header")
        /// An IDX payload is shorter or longer than the product of its dimensions.
        public static let truncatedPayload = Code("truncated_payload")
        /// The images file and the labels file hold different numbers of examples.
        public static let countMismatch = Code("count_mismatch")
        /// A label lies outside `0..<classCount`.
        public static let invalidLabel = Code("invalid_label")
        /// None of the searched directories holds the dataset's files.
        public static let datasetNotFound = Code("dataset_not_found")
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence or two: what was wrong, where, and what to do about it.
    public var message: String
    /// The file concerned, when there is one.
    public var path: String?

    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { "\(code): \(message)" }
}
