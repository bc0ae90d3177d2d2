import Foundation

/// The result of one training run: its configuration and everything it measured.
///
/// The experiment runner fills one in per ``ExperimentConfig`` and writes it with
/// ``write(to:)`` as `<config.id>.json`; tables (``Table1Report``) and figures
/// (``Figure3Plot``) are built from a directory of them (``readAll(in:)``).
///
/// ```swift
/// let record = RunRecord(
///     config: config, epochs: epochs,
///     totalSeconds: clock.elapsed,
///     aggregationTiming: TimingSummary(milliseconds: roundTimes),
///     byzantineSelection: ByzantineSelection(rounds: rounds, selectedRounds: counts),
///     rejectedRowsCount: rejected,
///     startedAt: RunRecord.timestamp(start), finishedAt: RunRecord.timestamp(Date()),
///     brsgdVersion: "0.1.0")
/// try record.write(to: outputDirectory.appending(path: record.fileName))
/// ```
public struct RunRecord: Codable, Sendable, Equatable, Hashable {
    /// The configuration that produced this run.
    public var config: ExperimentConfig
    /// One record per completed epoch, in order.
    public var epochs: [EpochRecord]
    /// Test accuracy after the last epoch, as a fraction in [0, 1].
    public var finalTestAccuracy: Double
    /// Wall-clock seconds of the whole run.
    public var totalSeconds: Double
    /// Per-round aggregation time of the master.
    public var aggregationTiming: TimingSummary
    /// How often the rule selected each Byzantine worker.
    public var byzantineSelection: ByzantineSelection
    /// Total rows (gradients) rejected for containing NaN or ±Inf, over all rounds.
    public var rejectedRowsCount: Int
    /// ISO 8601 time the run started, for example `2026-11-26T20:43:00Z`.
    public var startedAt: String
    /// ISO 8601 time the run finished.
    public var finishedAt: String
    /// Version of brsgd that produced the record.
    public var brsgdVersion: String
    /// The machine the run was measured on.
    public var host: HostInfo

    /// Creates a record.
    ///
    /// - Parameter finalTestAccuracy: Defaults to the last epoch's test accuracy (0 when
    ///   there are no epochs).
    public init(
        config: ExperimentConfig,
        epochs: [EpochRecord],
        finalTestAccuracy: Double? = nil,
        totalSeconds: Double,
        aggregationTiming: TimingSummary,
        byzantineSelection: ByzantineSelection,
        rejectedRowsCount: Int = 0,
        startedAt: String,
        finishedAt: String,
        brsgdVersion: String,
        host: HostInfo = .current
    ) {
        self.config = config
        self.epochs = epochs
        self.finalTestAccuracy = finalTestAccuracy ?? epochs.last?.testAccuracy ?? 0
        self.totalSeconds = totalSeconds
        self.aggregationTiming = aggregationTiming
        self.byzantineSelection = byzantineSelection
        self.rejectedRowsCount = rejectedRowsCount
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.brsgdVersion = brsgdVersion
        self.host = host
    }

    /// The file name this record is written under: `<config.id>.json`.
    public var fileName: String { config.id + ".json" }

    /// `date` as an ISO 8601 string in UTC, for ``startedAt`` and ``finishedAt``.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    enum CodingKeys: String, CodingKey {
        case config
        case epochs
        case finalTestAccuracy = "final_test_accuracy"
        case totalSeconds = "total_seconds"
        case aggregationTiming = "aggregation_timing"
        case byzantineSelection = "byzantine_selection"
        case rejectedRowsCount = "rejected_rows_count"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case brsgdVersion = "brsgd_version"
        case host
    }
}
