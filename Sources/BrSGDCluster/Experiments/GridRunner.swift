import BrSGDRecords
import Datasets
import Dispatch
import Foundation
import Synchronization

/// Runs a grid of experiments, several at a time, writing each run's record as
/// `<directory>/<config id>.json` as soon as it finishes; runs whose record is already
/// there are not run again, so an interrupted grid resumes where it stopped.
public struct GridRunner {
    public let directory: URL
    /// Runs at once.
    public let jobs: Int
    /// Gradient threads per run.
    public let threadsPerJob: Int
    public let locator: DatasetLocator

    public init(directory: URL, jobs: Int, threadsPerJob: Int, locator: DatasetLocator = DatasetLocator()) {
        self.directory = directory
        self.jobs = max(1, jobs)
        self.threadsPerJob = max(1, threadsPerJob)
        self.locator = locator
    }

    /// A run that finished, failed, or was found done.
    public struct Event: Sendable {
        public enum Kind: Sendable { case resumed, finished, failed(String) }
        public var config: Experiment
        public var kind: Kind
        public var record: RunRecord?
        /// Runs accounted for so far, and in all.
        public var done: Int
        public var total: Int
    }

    /// What the grid produced.
    public struct Outcome: Sendable {
        public var records: [RunRecord]
        public var failures: [(config: Experiment, message: String)]
        /// Wall time of the runs made now (not counting resumed ones).
        public var seconds: Double
        public var resumed: Int
    }

    /// The record already written for `config`, if any (same id: the same experiment but
    /// for threads and the data directory, which do not change the bytes).
    public func existingRecord(for config: Experiment) -> RunRecord? {
        let url = directory.appendingPathComponent(config.id + ".json")
        guard let record = try? RunRecord.read(from: url), record.config.id == config.id else { return nil }
        return record
    }

    /// Every record in the runs directory, the ones this grid made and any other (tables
    /// are rebuilt from all of them, so two partial grids into one directory add up).
    public func allRecords() throws -> [RunRecord] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try RunRecord.readAll(in: directory)
    }

    /// Runs every experiment not already done, each with ``threadsPerJob`` threads. An
    /// experiment that does not validate is reported as failed, not run. `onEvent` is
    /// called once per run, never concurrently with itself.
    /// - Throws: ``DatasetError`` when a dataset the runs need cannot be loaded.
    public func run(_ configs: [Experiment], onEvent: (Event) -> Void) throws -> Outcome {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let start = DispatchTime.now().uptimeNanoseconds
        var records: [RunRecord] = []
        var pending: [Experiment] = []
        for var config in configs {
            config.threads = threadsPerJob
            if let record = existingRecord(for: config) {
                records.append(record)
                onEvent(Event(config: config, kind: .resumed, record: record, done: records.count, total: configs.count))
            } else {
                pending.append(config)
            }
        }
        let resumed = records.count
        // Load each dataset once, before the runs share it.
        let loader = ExperimentRunner(locator: locator)
        for name in Set(pending.map(\.dataset)) { _ = try loader.data(name) }

        struct Shared {
            var next = 0
            var records: [RunRecord]
            var failures: [(config: Experiment, message: String)] = []
        }
        let shared = Mutex(Shared(records: records))
        let total = configs.count
        forEachLane(min(jobs, pending.count)) { _ in
            while true {
                let index: Int = shared.withLock { state in
                    defer { state.next += 1 }
                    return state.next
                }
                guard index < pending.count else { return }
                let config = pending[index]
                do {
                    let (record, _) = try loader.run(try config.validated())
                    try record.write(to: directory.appendingPathComponent(record.fileName))
                    shared.withLock { state in
                        state.records.append(record)
                        onEvent(Event(config: config, kind: .finished, record: record,
                                      done: state.records.count + state.failures.count, total: total))
                    }
                } catch {
                    shared.withLock { state in
                        state.failures.append((config, "\(error)"))
                        onEvent(Event(config: config, kind: .failed("\(error)"), record: nil,
                                      done: state.records.count + state.failures.count, total: total))
                    }
                }
            }
        }
        let final = shared.withLock { $0 }
        return Outcome(records: final.records, failures: final.failures,
                       seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, resumed: resumed)
    }
}
