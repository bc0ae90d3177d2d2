import BrSGDRecords
import Foundation

/// The settings a table's runs were made with, each as the sorted distinct values found in
/// its records: one value each for the runs of one grid, more where records of different
/// experiments were put together (which the markdown then says).
public struct RunSettings: Codable, Sendable, Equatable {
    public var models: [String]
    public var datasets: [String]
    /// m.
    public var workers: [Int]
    public var epochs: [Int]
    /// Examples per worker per round.
    public var batchSizes: [Int]
    /// η.
    public var learningRates: [Double]
    /// The master's momentum.
    public var momenta: [Double]
    /// β of the honest workers' momentum.
    public var workerMomenta: [Double]
    /// The seeded test subset's size; nil: the whole test set.
    public var testSubsets: [Int?]

    enum CodingKeys: String, CodingKey {
        case models, datasets, workers, epochs, momenta
        case batchSizes = "batch_sizes"
        case learningRates = "learning_rates"
        case workerMomenta = "worker_momenta"
        case testSubsets = "test_subsets"
    }

    /// The settings of `records`; nil when there are none.
    public init?(records: [RunRecord]) {
        guard !records.isEmpty else { return nil }
        let configs = records.map(\.config)
        func distinct<T: Comparable & Hashable>(_ value: (Experiment) -> T) -> [T] { Set(configs.map(value)).sorted() }
        models = distinct { $0.model.rawValue }
        datasets = distinct { $0.dataset.rawValue }
        workers = distinct(\.workers)
        epochs = distinct(\.epochs)
        batchSizes = distinct(\.batchSize)
        learningRates = distinct(\.learningRate)
        momenta = distinct(\.momentum)
        workerMomenta = distinct(\.workerMomentum)
        testSubsets = distinct { $0.testSubset ?? Int.max }.map { $0 == Int.max ? nil : $0 }
    }

    /// True when the records do not all share one value of every setting.
    public var isMixed: Bool {
        [models.count, datasets.count, workers.count, epochs.count, batchSizes.count, learningRates.count,
         momenta.count, workerMomenta.count, testSubsets.count].contains { $0 > 1 }
    }

    /// One sentence: `Settings: lenet on fashion-mnist, m = 20, 3 epochs, batch 64 per
    /// worker, η = 0.03, momentum 0, worker momentum 0, the whole test set.`
    public var sentence: String {
        func list<T>(_ values: [T], _ text: (T) -> String) -> String { values.map(text).joined(separator: " or ") }
        let test = list(testSubsets) { $0.map { "a seeded subset of \($0) test examples" } ?? "the whole test set" }
        var text = "Settings: \(list(models) { $0 }) on \(list(datasets) { $0 }), m = \(list(workers) { "\($0)" }), "
            + "\(list(epochs) { "\($0)" }) epoch\(epochs == [1] ? "" : "s"), batch \(list(batchSizes) { "\($0)" }) per worker, "
            + "η = \(list(learningRates, Format.shortest)), momentum \(list(momenta, Format.shortest)), "
            + "worker momentum \(list(workerMomenta, Format.shortest)), evaluated on \(test)."
        if isMixed { text += " These records mix settings: their cells average different experiments." }
        return text
    }
}
