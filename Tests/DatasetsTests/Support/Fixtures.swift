import CZlib
import Foundation

/// A fresh temporary directory, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("brsgd-datasets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// IDX bytes: magic `00 00 type rank`, big-endian dimensions, payload.
func idxBytes(type: UInt8 = 0x08, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for d in dimensions {
        bytes += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)]
    }
    return bytes + payload
}

/// Writes `bytes` as is.
func writeRaw(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Writes `bytes` gzip-compressed with zlib's gz* API.
func writeGzip(_ bytes: [UInt8], to path: String) throws {
    guard let file = gzopen(path, "wb") else { throw FixtureError(message: "gzopen failed for \(path)") }
    let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
    guard gzclose(file) == Z_OK, Int(written) == bytes.count else {
        throw FixtureError(message: "gzwrite failed for \(path)")
    }
}

func readRaw(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

struct FixtureError: Error { let message: String }

/// A tiny image set: `count` images of `rows × columns` with deterministic pixels, and
/// labels `i % classCount`.
struct TinyImages {
    let count: Int, rows: Int, columns: Int, classCount: Int

    init(count: Int = 6, rows: Int = 3, columns: Int = 4, classCount: Int = 10) {
        self.count = count; self.rows = rows; self.columns = columns; self.classCount = classCount
    }

    var pixels: [UInt8] { (0..<(count * rows * columns)).map { UInt8(($0 * 37 + 11) % 256) } }
    var labels: [UInt8] { (0..<count).map { UInt8($0 % classCount) } }
    var imagesIDX: [UInt8] { idxBytes(dimensions: [count, rows, columns], payload: pixels) }
    var labelsIDX: [UInt8] { idxBytes(dimensions: [count], payload: labels) }

    /// Writes the four files of both splits into `directory`, gzip-compressed or not.
    func writeSplits(into directory: String, compressed: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for prefix in ["train", "t10k"] {
            let suffix = compressed ? ".gz" : ""
            let write = compressed ? writeGzip : writeRaw
            try write(imagesIDX, "\(directory)/\(prefix)-images-idx3-ubyte\(suffix)")
            try write(labelsIDX, "\(directory)/\(prefix)-labels-idx1-ubyte\(suffix)")
        }
    }
}

/// Runs `body` and returns the `DatasetError` it throws (nil if it throws none).
func captureError<T>(_ body: () throws -> T) -> (any Error)? {
    do { _ = try body(); return nil } catch { return error }
}
