import Foundation
import Testing
import TensorIO

/// Each test gets its own scratch directory, removed afterwards.
@Suite final class TensorFileTests {
    let directory: URL

    init() throws { directory = try makeScratchDirectory() }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> URL { URL(fileURLWithPath: name, relativeTo: directory) }

    @Test(arguments: ["m.npy", "m.json", "M.NPY", "m.Json"])
    func matrixRoundTrip(name: String) throws {
        let values: [Float] = [1, -2.5, .greatestFiniteMagnitude, 1e-30, 0, 7]
        try TensorFile.writeMatrix(values, rowCount: 3, columnCount: 2, to: file(name))
        let m = try TensorFile.readMatrix(at: file(name))
        #expect(m == LoadedMatrix(rowCount: 3, columnCount: 2, values: values))
        #expect(try TensorFile.readArray(at: file(name)).shape == [3, 2])
    }

    @Test(arguments: ["v.npy", "v.json"])
    func vectorRoundTrip(name: String) throws {
        let values: [Float] = [0.1, .nan, -.infinity, 3e38, -0.0]
        try TensorFile.writeVector(values, to: file(name))
        #expect(bitsEqual(try TensorFile.readVector(at: file(name)), values))
    }

    @Test func formatByExtension() throws {
        #expect(try TensorFile.Format(url: file("a.NpY")) == .npy)
        #expect(try TensorFile.Format(url: file("dir.v2/a.json")) == .json)
        for name in ["G.csv", "G"] {
            let error = #expect(throws: TensorFileError.self) { try TensorFile.readMatrix(at: file(name)) }
            #expect(error?.code == .unsupportedFormat)
            #expect(error?.message.contains(".npy, .json") == true)
            #expect(error?.path == name)
        }
        let error = #expect(throws: TensorFileError.self) { try TensorFile.writeVector([1], to: file("g.txt")) }
        #expect(error?.code == .unsupportedFormat && error?.message.contains("'.txt'") == true)
        #expect(!FileManager.default.fileExists(atPath: file("g.txt").path))
    }

    @Test func errorsNameTheFile() throws {
        let npy = try Fixtures.data("matrix_f4_v1.npy")
        var truncated = NPYFormat.encode(matrix: [Float](repeating: 0, count: 20_000), rowCount: 20, columnCount: 1000)
        truncated = truncated.prefix(128 + 4096)
        try truncated.write(to: file("G.npy"))
        let error = #expect(throws: TensorFileError.self) { try TensorFile.readMatrix(at: file("G.npy")) }
        #expect(error?.description == "G.npy: truncated: header says 20 × 1000 float32 (80000 bytes of data) but the file holds 4096")

        try Data("[[1, 2], [3]]".utf8).write(to: file("G.json"))
        let ragged = #expect(throws: TensorFileError.self) { try TensorFile.readMatrix(at: file("G.json")) }
        #expect(ragged?.description.hasPrefix("G.json: bad shape: ragged rows: row 1 has 1 number but row 0 has 2") == true)

        try npy.write(to: file("m.npy"))
        let rank = #expect(throws: TensorFileError.self) { try TensorFile.readVector(at: file("m.npy")) }
        #expect(rank?.code == .badShape && rank?.path == "m.npy")
    }

    @Test func missingFileAndDirectory() throws {
        let missing = #expect(throws: TensorFileError.self) { try TensorFile.readMatrix(at: file("nope.npy")) }
        #expect(missing?.code == .io && missing?.message.contains("no such file") == true)
        #expect(missing?.cause != nil)
        try FileManager.default.createDirectory(at: file("d.json"), withIntermediateDirectories: true)
        let directoryError = #expect(throws: TensorFileError.self) { try TensorFile.readMatrix(at: file("d.json")) }
        #expect(directoryError?.code == .io, "\(String(describing: directoryError))")
    }

    @Test func writesAreAtomicAndLeaveNoTemporaryFiles() throws {
        try TensorFile.writeVector([1, 2, 3], to: file("g.npy"))
        try TensorFile.writeVector([4, 5], to: file("g.npy"))  // replaces
        #expect(try TensorFile.readVector(at: file("g.npy")) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["g.npy"])

        let error = #expect(throws: TensorFileError.self) {
            try TensorFile.writeVector([1], to: file("no/such/dir/g.json"))
        }
        #expect(error?.code == .io && error?.path == "no/such/dir/g.json")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["g.npy"])
    }

    /// NumPy and Python's json load what we write. Skipped where python3 with numpy is missing.
    @Test(.enabled(if: PythonNumPy.isAvailable))
    func numpyLoadsWhatWeWrite() throws {
        let values: [Float] = [0.1, -2, 3e38, 1e-30, .infinity, 6]
        try TensorFile.writeMatrix(values, rowCount: 2, columnCount: 3, to: file("m.npy"))
        try TensorFile.writeMatrix(values, rowCount: 2, columnCount: 3, to: file("m.json"))
        try TensorFile.writeVector(values, to: file("v.npy"))
        let script = """
            import json, sys, numpy as np
            d = sys.argv[1]
            m, v = np.load(d + '/m.npy'), np.load(d + '/v.npy')
            j = np.array(json.load(open(d + '/m.json')), dtype=np.float32)
            assert m.dtype == np.float32 and m.shape == (2, 3) and m.flags.c_contiguous, (m.dtype, m.shape)
            assert v.dtype == np.float32 and v.shape == (6,)
            assert (m.ravel() == v).all() and (j == m).all(), (m, v, j)
            print(' '.join(str(x.view(np.uint32)) for x in v))
            """
        let output = try PythonNumPy.run(script, arguments: [directory.path])
        #expect(output == values.map { String($0.bitPattern) }.joined(separator: " "))
    }
}

/// Runs python3 for the cross-check against NumPy.
enum PythonNumPy {
    static let isAvailable: Bool = (try? run("import numpy", arguments: [])) != nil

    static func run(_ script: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
