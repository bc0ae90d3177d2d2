import BrSGDRecords
import Datasets
import Foundation
import NeuralEngine

/// Runs an ``Experiment`` in process and returns its ``RunRecord`` and final model; loads each
/// dataset once and keeps it for the next run (grids share it).
///
/// ```swift
/// let checked = try experiment.resolved().validated()
/// let runner = ExperimentRunner(locator: DatasetLocator(dataDirectory: dir))
/// let (record, model) = try runner.run(checked)
/// ```
public final class ExperimentRunner {
    public let locator: DatasetLocator
    private var cache: [DatasetName: LoadedData] = [:]

    public init(locator: DatasetLocator = DatasetLocator()) {
        self.locator = locator
    }

    /// The training and test sets of `name` (loaded once, then kept), and the directory
    /// they came from.
    /// - Throws: ``DatasetError`` when the files are missing or corrupt.
    public func data(_ name: DatasetName) throws(DatasetError) -> LoadedData {
        if let cached = cache[name] { return cached }
        let loaded = try LoadedData.load(name, from: locator)
        cache[name] = loaded
        return loaded
    }

    /// Runs `checked` and returns its record (the experiment with the data directory
    /// actually used) and the final model.
    /// - Throws: ``DatasetError`` for missing data; ``ExperimentError`` when the loaded
    ///   training set has fewer examples than workers.
    public func run(_ checked: Experiment.Checked, progress: (SimulationProgress) -> Void = { _ in },
                    epochEnded: (EpochRecord) -> Void = { _ in }) throws -> (record: RunRecord, model: [Float]) {
        let data = try data(checked.experiment.dataset)
        var experiment = checked.experiment
        experiment.dataDirectory = data.directory
        try data.check(workers: experiment.workers)
        let started = Date()
        let result = try Simulation.run(SimulationConfiguration(checked), train: data.train, test: data.test,
                                        progress: progress, epochEnded: epochEnded)
        let record = result.ledger.runRecord(for: experiment, totalSeconds: result.totalSeconds, started: started,
                                             finished: Date())
        return (record, result.finalParameters)
    }
}

/// A dataset's two splits as loaded, with the directory they came from.
public struct LoadedData: Sendable {
    public var train: LabeledDataset
    public var test: LabeledDataset
    /// The directory of the training files (what the run record stores as `data_dir`).
    public var directory: String

    /// Loads both splits of `name` from the first directory of `locator`'s search path
    /// that holds them. With an explicit data directory, both splits must come from it:
    /// nothing falls back to another copy.
    public static func load(_ name: DatasetName, from locator: DatasetLocator) throws(DatasetError) -> LoadedData {
        let trainFiles = try locator.locate(name, split: .train)
        let testFiles = try locator.locate(name, split: .test)
        let trainDirectory = (trainFiles.images as NSString).deletingLastPathComponent
        let testDirectory = (testFiles.images as NSString).deletingLastPathComponent
        guard trainDirectory == testDirectory else {
            throw DatasetError(code: .datasetNotFound, message: """
                \(name.displayName): the training files were found in \(trainDirectory) but the test files in \
                \(testDirectory); put all four files in one directory
                """)
        }
        return LoadedData(train: try LabeledDataset.load(name, split: .train, from: locator),
                          test: try LabeledDataset.load(name, split: .test, from: locator),
                          directory: trainDirectory)
    }

    /// Throws unless every one of `workers` workers gets at least one training example.
    public func check(workers: Int) throws(ExperimentError) {
        guard workers <= train.count else {
            throw ExperimentError(.inconsistent, field: .workers,
                                  "is \(workers), more than the \(train.count) training examples in \(directory)")
        }
    }
}
