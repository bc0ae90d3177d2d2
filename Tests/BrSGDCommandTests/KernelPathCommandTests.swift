import Foundation
import KernelPaths
import Testing

/// A FashionMNIST-shaped dataset of seeded random pixels and labels, as uncompressed IDX files
/// in a directory (`--data-dir`): so the tests that train LeNet need no installed dataset.
/// Its bytes come from integer arithmetic only, the same on every machine.
enum SyntheticIDX {
    /// Writes `train-*` (`trainCount` images) and `t10k-*` (`testCount`) files into `directory`.
    static func write(to directory: URL, trainCount: Int = 320, testCount: Int = 64, seed: UInt64 = 7) throws {
        var state = seed
        func nextByte() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407   // Knuth's MMIX LCG
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        func header(_ magic: UInt32, _ dimensions: [Int]) -> Data {
            var data = Data()
            for word in [magic] + dimensions.map(UInt32.init) { withUnsafeBytes(of: word.bigEndian) { data.append(contentsOf: $0) } }
            return data
        }
        for (prefix, count) in [("train", trainCount), ("t10k", testCount)] {
            var images = header(0x0803, [count, 28, 28])
            images.append(contentsOf: (0 ..< count * 784).map { _ in nextByte() })
            var labels = header(0x0801, [count])
            labels.append(contentsOf: (0 ..< count).map { _ in nextByte() % 10 })
            try images.write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try labels.write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    /// The SHA-256 of a file, by coreutils' `sha256sum`.
    static func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}

/// `BRSGD_KERNELS` end to end: every kernel path trains LeNet to the same model bytes, pinned
/// as a golden SHA-256 (the engine's arithmetic is its own, so the value is the same on every
/// x86-64 machine, and the reference path gives it anywhere); bad values are refused before
/// any work.
@Suite struct KernelPathCommandTests {
    /// LeNet, m = 4 with one Byzantine worker (sign flip, so no libm in the run), BrSGD, batch 4
    /// per worker on 320 synthetic images: 20 rounds, then the test set (64 images).
    static let experiment = ["--model", "lenet", "--workers", "4", "--byzantine", "1", "--attack", "sign-flip",
                             "--rule", "brsgd", "--epochs", "1", "--batch-size", "4", "--lr", "0.03", "--seed", "1",
                             "--threads", "1"]

    /// The SHA-256 of the model that run saves (`--save-model model.npy`). It changes only
    /// when the engine's order of operations, the generator, the data or the rule changes,
    /// and such a change must say so here.
    static let goldenModelSHA256 = "447694d90d1bda551b2b951709a71154bc037043d3223aadcafee69b8ed1d064"

    static let hasSHA256 = FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum")

    /// Trains the golden run with BRSGD_KERNELS = `path` and returns its model's SHA-256.
    static func trainedModelSHA256(_ path: KernelPath) throws -> String {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticIDX.write(to: directory)
        let model = directory.appendingPathComponent("model.npy").path
        let run = try CommandRunner.run(["train", "--quiet", "--data-dir", directory.path, "--save-model", model]
                                        + experiment, environment: ["BRSGD_KERNELS": path.rawValue])
        #expect(run.status == 0, "\(run.stderr)")
        return try SyntheticIDX.sha256(model)
    }

    @Test(.enabled(if: hasSHA256, "needs sha256sum (coreutils)"))
    func theReferencePathGivesTheGoldenModel() throws {
        #expect(try Self.trainedModelSHA256(.reference) == Self.goldenModelSHA256)
    }

    @Test(.enabled(if: hasSHA256, "needs sha256sum (coreutils)"),
          .enabled(if: KernelPath.avx2.isAvailable, "this CPU lacks AVX2 with FMA"))
    func theAVX2PathGivesTheGoldenModel() throws {
        #expect(try Self.trainedModelSHA256(.avx2) == Self.goldenModelSHA256)
    }

    @Test(.enabled(if: hasSHA256, "needs sha256sum (coreutils)"),
          .enabled(if: KernelPath.avx512.isAvailable, "this CPU lacks AVX-512"))
    func theAVX512PathGivesTheGoldenModel() throws {
        #expect(try Self.trainedModelSHA256(.avx512) == Self.goldenModelSHA256)
    }

    @Test func anUnknownPathIsRefusedBeforeAnyWork() throws {
        let run = try CommandRunner.run(["train", "--epochs", "1"], environment: ["BRSGD_KERNELS": "sse9"])
        #expect(run.status == 64)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        let available = KernelPath.available.map(\.rawValue).joined(separator: ", ")
        #expect(run.stderr.contains("BRSGD_KERNELS=sse9: unknown kernel path") && run.stderr.contains("this CPU runs \(available)"),
                "\(run.stderr)")
    }

    @Test(.enabled(if: !KernelPath.avx512.isAvailable, "this CPU runs every path: none to refuse"))
    func aPathThisCPULacksIsRefusedBeforeAnyWork() throws {
        let run = try CommandRunner.run(["train", "--epochs", "1"], environment: ["BRSGD_KERNELS": "avx512"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("BRSGD_KERNELS=avx512: this CPU lacks AVX-512"), "\(run.stderr)")
    }

    @Test func benchTrainNamesThePathItRan() throws {
        let run = try CommandRunner.run(["bench", "train", "--model", "logistic", "--batch-size", "8", "--seconds", "0.2",
                                         "--threads", "1", "--format", "json"],
                                        environment: ["BRSGD_KERNELS": "reference"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"kernels\":\"reference\""), "\(run.stdout)")
    }
}
