import Foundation
import TensorIO


extension RunRecord {
    /// The record as pretty-printed JSON with sorted keys, so files diff cleanly.
    ///
    /// A diverged run has NaN or infinite losses, which JSON cannot hold as numbers; they
    /// are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (as Python's
    /// `json` module reads them with `parse_constant`) and read back by ``read(from:)``.
    public func jsonData() throws -> Data {
        try Self.encoder.encode(self)
    }

    /// The encoder of record files: pretty, sorted keys, non-finite numbers as strings.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// The decoder of record files, accepting what ``encoder`` writes.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// Decodes a record from JSON bytes as written by ``jsonData()``.
    public static func decode(from data: Data) throws -> RunRecord {
        try decoder.decode(RunRecord.self, from: data)
    }

    /// Writes the record as JSON to `url`, atomically: the bytes go to a temporary file in
    /// the same directory, which is then renamed over `url`, so a reader never sees a
    /// half-written record and a crash leaves the old file intact.
    ///
    /// - Throws: ``ExperimentFileError`` naming the file when encoding, writing or renaming fails.
    public func write(to url: URL) throws {
        let data: Data
        do {
            data = try jsonData()
        } catch {
            throw ExperimentFileError(.encodingFailed, url: url, reason: "\(error)")
        }
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw ExperimentFileError(.writeFailed, url: url, reason: error.message)
        }
    }

    /// Reads a record written by ``write(to:)``.
    ///
    /// - Throws: ``ExperimentFileError`` naming the file when it cannot be read or is not a
    ///   valid record (the decoding error says which key is wrong).
    public static func read(from url: URL) throws -> RunRecord {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ExperimentFileError(.readFailed, url: url, reason: describeFileError(error))
        }
        do {
            return try decoder.decode(RunRecord.self, from: data)
        } catch let error as DecodingError {
            throw ExperimentFileError(.decodingFailed, url: url, reason: describe(error))
        } catch {
            throw ExperimentFileError(.decodingFailed, url: url, reason: "\(error)")
        }
    }

    /// Reads every `*.json` record in `directory` (not recursively), sorted by file name.
    ///
    /// - Throws: ``ExperimentFileError`` for the directory, or for the first file that is
    ///   not a valid record.
    public static func readAll(in directory: URL) throws -> [RunRecord] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ExperimentFileError(.readFailed, url: directory, reason: "cannot list the directory: \(describeFileError(error))")
        }
        return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map {
            try read(from: directory.appendingPathComponent($0))
        }
    }
}
