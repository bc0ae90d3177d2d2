import Foundation
import Testing

/// The NumPy-made files in `Fixtures/` (see `Scripts/make_npy_fixtures.py`) and the values
/// they hold, rebuilt from the script's formulas.
enum Fixtures {
    static func url(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
                     "missing fixture \(name)")
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    /// base[i][j] = (3i + j − 2.5) · 1.5, row-major, 2 × 3.
    static let base: [Float] = (0..<2).flatMap { i in (0..<3).map { j in Float((Double(3 * i + j) - 2.5) * 1.5) } }
    /// vector[k] = (k − 2) · 0.75, length 5.
    static let vector: [Float] = (0..<5).map { k in Float(Double(k - 2) * 0.75) }
}

/// Bitwise equality, so NaN equals NaN and −0 differs from +0.
func bitsEqual(_ a: [Float], _ b: [Float]) -> Bool {
    a.map(\.bitPattern) == b.map(\.bitPattern)
}

/// A fresh empty directory under the temporary directory (a directory URL, so that
/// `URL(fileURLWithPath:relativeTo:)` resolves inside it).
func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("TensorIOTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
