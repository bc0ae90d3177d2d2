import BrSGDRecords
import Foundation
import RobustAggregation
import TestSupport
import Testing
@testable import BrSGDTransportGRPC

/// `brsgd master --parameters` end to end: the built command serves a vector from a file to
/// two workers that are not brsgd (hand-driven gRPC clients of this test), one of them
/// Byzantine; every step is w − η·rule(G) with momentum, and the record says nothing was
/// evaluated. (In this target rather than BrSGDCommandTests because it needs the gRPC client.)
@Suite("brsgd master --parameters")
struct BareVectorCommandTests {
    /// The `brsgd` executable beside the test bundle (as BrSGDCommandTests finds it).
    static var executable: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0 ..< 4 {
            let candidate = directory.appendingPathComponent("brsgd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    static let dimension = 5, rounds = 3, learningRate: Float = 0.5, momentum: Float = 0.5

    static func gradient(worker: Int, at w: [Float]) -> [Float] {
        worker == 0 ? [Float](repeating: 1e3, count: dimension) : w.indices.map { w[$0] - Float($0) }
    }

    @Test(.enabled(if: executable != nil, "needs the built brsgd executable beside the tests"))
    func twoWorkersOfTheirOwnTrainAVectorThroughTheCommand() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brsgd-bare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let initial: [Float] = [0.5, -1, 2, 0.25, 3]
        let initFile = directory.appendingPathComponent("init.json"), saved = directory.appendingPathComponent("w.json")
        let recordFile = directory.appendingPathComponent("run.json")
        try Data("[0.5, -1, 2, 0.25, 3]".utf8).write(to: initFile)

        let master = Process()
        master.executableURL = try #require(Self.executable)
        master.arguments = ["master", "--parameters", initFile.path, "--workers", "2", "--byzantine", "1", "--rule", "median",
                            "--lr", "\(Self.learningRate)", "--momentum", "\(Self.momentum)", "--rounds", "\(Self.rounds)",
                            "--save-model", saved.path, "--output", recordFile.path, "--listen", "127.0.0.1:0",
                            "--start-timeout", "600"]
        let errors = Pipe(), results = Pipe()
        master.standardError = errors
        master.standardOutput = results
        try master.run()
        defer { if master.isRunning { master.terminate() } }
        // The port, from the line "brsgd master listening on 127.0.0.1:<port>".
        var text = ""
        var port: Int?
        while port == nil {
            let chunk = errors.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "listening on 127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        let bound = try #require(port, "the master did not say where it listens: \(text)")

        let seen: [[Int: [Float]]]
        do {
            seen = try await Self.playWorkers(port: bound)
        } catch {
            master.terminate()
            master.waitUntilExit()
            let rest = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            Issue.record("the workers failed: \(error); the master said: \(text)\(rest)")
            return
        }
        master.waitUntilExit()
        let rest = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(master.terminationStatus == 0, "\(text)\(rest)")
        try Self.check(seen: seen, initial: initial, saved: saved, recordFile: recordFile)
        Self.checkTable(String(decoding: results.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// The summary table on standard output: a master without a test set evaluated nothing,
    /// so its epoch row shows a dash for test accuracy and loss, never "nan" or "nan%".
    static func checkTable(_ stdout: String) {
        let lines = stdout.split(separator: "\n").map(String.init)
        let header = lines.firstIndex { $0.contains("| epoch |") && $0.contains("test accuracy") }
        #expect(header != nil, "a table on stdout: \(stdout)")
        let rows = lines.filter { $0.hasPrefix("|") && !$0.contains("epoch") && !$0.contains("---") }
        #expect(!rows.isEmpty, "an epoch row: \(stdout)")
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 5 && cells[1] == "–" && cells[2] == "–", "accuracy and loss are dashes: \(row)")
        }
        #expect(!stdout.lowercased().contains("nan"), "no NaN printed: \(stdout)")
        #expect(stdout.contains("not evaluated"), "the summary line says so: \(stdout)")
    }

    /// Two workers of their own, each in its own loop: join, fetch, submit, until finished.
    /// Returns what each saw of every round.
    static func playWorkers(port: Int) async throws -> [[Int: [Float]]] {
        try await TestClient.with(port: port) { client in
            try await withThrowingTaskGroup(of: (Int, [Int: [Float]]).self) { group in
                for worker in 0 ..< 2 {
                    group.addTask {
                        let joined = try await client.join(worker)
                        #expect(joined.configJson.isEmpty && joined.parameterCount == UInt32(Self.dimension))
                        var seen: [Int: [Float]] = [:], next: UInt64 = 0
                        while true {
                            let assignment = try await client.fetch(worker, session: joined.session, nextRound: next)
                            if assignment.status == .finished { break }
                            if assignment.status == .wait { continue }
                            let w = try #require(TensorBytes.unpack(assignment.parameters))
                            seen[Int(assignment.round)] = w
                            let reply = try await client.submit(worker, session: joined.session, round: assignment.round,
                                                                Self.gradient(worker: worker, at: w))
                            #expect(reply.accepted)
                            next = assignment.round + 1
                        }
                        return (worker, seen)
                    }
                }
                var all: [[Int: [Float]]] = [[:], [:]]
                for try await (worker, seen) in group { all[worker] = seen }
                return all
            }
        }
    }

    /// Every step from what the workers saw, the saved vector and the record.
    static func check(seen: [[Int: [Float]]], initial: [Float], saved: URL, recordFile: URL) throws {
        // w_{t+1} = w_t − η·v_{t+1}, v_{t+1} = μ·v_t + median(G_t): the rule as the library runs it.
        var w = initial, velocity = [Float](repeating: 0, count: Self.dimension)
        for t in 0 ..< Self.rounds {
            #expect(bitwiseDifference(seen[0][t], w) == nil, "worker 0's w_\(t)")
            #expect(bitwiseDifference(seen[1][t], w) == nil, "worker 1's w_\(t)")
            var matrix = GradientMatrix(rowCount: 2, columnCount: Self.dimension)
            for worker in 0 ..< 2 {
                let row = Self.gradient(worker: worker, at: w)
                matrix.withUnsafeMutableRow(worker) { target in for j in row.indices { target[j] = row[j] } }
            }
            let g = try CoordinateWiseMedian().aggregate(matrix).gradient
            for j in w.indices {
                velocity[j] = Self.momentum * velocity[j] + (g[j] + 0 * w[j])
                w[j] -= Self.learningRate * velocity[j]
            }
        }
        let final = try JSONDecoder().decode([Float].self, from: Data(contentsOf: saved))
        #expect(bitwiseDifference(final, w) == nil, "--save-model holds w_T")

        let record = try RunRecord.decoder.decode(RunRecord.self, from: Data(contentsOf: recordFile))
        #expect(!record.evaluated && record.finalTestAccuracy.isNaN)
        #expect(record.config.model == .parameters && record.config.parameterCount == Self.dimension)
        #expect(record.config.rounds == Self.rounds && record.rounds == Self.rounds)
        #expect(record.config.momentum == Double(Self.momentum))
        #expect(record.byzantineSelection.workers.map(\.worker) == [0])
    }
}
