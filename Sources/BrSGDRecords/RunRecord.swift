import Foundation

/// The result of one training run: its configuration and everything it measured.
///
/// A run fills one in per ``Experiment`` (from its ``RunLedger``-style books) and writes it with
/// ``write(to:)`` as `<config.id>.json`; tables (``Table1Report``) and figures
/// (``Figure3Plot``) are built from a directory of them (``readAll(in:)``).
///
/// ```swift
/// let record = RunRecord(
///     config: experiment, epochs: epochs,
///     totalSeconds: clock.elapsed,
///     aggregationTiming: TimingSummary(milliseconds: roundTimes),
///     byzantineSelection: ByzantineSelection(rounds: rounds, selectedRounds: counts),
///     rejectedRowsCount: rejected,
///     startedAt: RunRecord.timestamp(start), finishedAt: RunRecord.timestamp(Date()),
///     brsgdVersion: "0.1.0")
/// try record.write(to: outputDirectory.appending(path: record.fileName))
/// ```
public struct RunRecord: Codable, Sendable, Equatable, Hashable {
    /// The experiment that produced this run, with every default resolved (replayable:
    /// `brsgd train --config <record>`).
    public var config: Experiment
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
    /// Total rows (gradients) rejected for containing NaN or ±Inf, over all rounds
    /// (missing rows count here too: the master aggregates them as NaN rows).
    public var rejectedRowsCount: Int
    /// Rounds run (every round of every epoch).
    public var rounds: Int
    /// Rounds that could not be aggregated (no finite gradient, or fewer rows than the rule
    /// needs): the model stayed as it was. Non-zero means the run diverged or lost workers.
    public var skippedRounds: Int
    /// Gradients that did not arrive before their round closed (networked runs), over all rounds.
    public var missingRowsCount: Int
    /// Per-round wall time (gradients, attack, aggregation and step), when measured.
    public var roundTiming: TimingSummary?
    /// False when nothing was evaluated (a master without a test set): accuracies are NaN.
    public var evaluated: Bool
    /// ISO 8601 time the run started, for example `2026-11-26T20:43:00Z`.
    public var startedAt: String
    /// ISO 8601 time the run finished.
    public var finishedAt: String
    /// Version of brsgd that produced the record.
    public var brsgdVersion: String
    /// The machine the run was measured on.
    public var host: HostInfo
    /// The test evaluations made during training, every ``Experiment/evaluateEvery`` rounds
    /// (from round 0, the initial model, to the last); nil when the experiment evaluates
    /// once per epoch only (and in records written before the field existed).
    public var evaluations: [EvaluationRecord]?

    /// The best test accuracy seen during training: the largest of the epochs' accuracies and
    /// of ``evaluations`` (ByzFL's measure: a cell of its heatmaps is the worst attack's
    /// best accuracy during training). NaN when nothing was evaluated.
    public var peakTestAccuracy: Double {
        let all = epochs.map(\.testAccuracy) + (evaluations ?? []).map(\.testAccuracy)
        return all.filter { !$0.isNaN }.max() ?? .nan
    }

    /// Creates a record.
    ///
    /// - Parameter finalTestAccuracy: Defaults to the last epoch's test accuracy (0 when
    ///   there are no epochs).
    public init(
        config: Experiment,
        epochs: [EpochRecord],
        finalTestAccuracy: Double? = nil,
        totalSeconds: Double,
        aggregationTiming: TimingSummary,
        byzantineSelection: ByzantineSelection,
        rejectedRowsCount: Int = 0,
        rounds: Int? = nil,
        skippedRounds: Int = 0,
        missingRowsCount: Int = 0,
        roundTiming: TimingSummary? = nil,
        evaluated: Bool = true,
        startedAt: String,
        finishedAt: String,
        brsgdVersion: String,
        host: HostInfo = .current,
        evaluations: [EvaluationRecord]? = nil
    ) {
        self.config = config
        self.epochs = epochs
        self.finalTestAccuracy = finalTestAccuracy ?? epochs.last?.testAccuracy ?? 0
        self.totalSeconds = totalSeconds
        self.aggregationTiming = aggregationTiming
        self.byzantineSelection = byzantineSelection
        self.rejectedRowsCount = rejectedRowsCount
        self.rounds = rounds ?? byzantineSelection.rounds
        self.skippedRounds = skippedRounds
        self.missingRowsCount = missingRowsCount
        self.roundTiming = roundTiming
        self.evaluated = evaluated
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.brsgdVersion = brsgdVersion
        self.host = host
        self.evaluations = evaluations
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
        case rounds
        case skippedRounds = "skipped_rounds"
        case missingRowsCount = "missing_rows_count"
        case roundTiming = "round_timing"
        case evaluated
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case brsgdVersion = "brsgd_version"
        case host
        case evaluations
    }

    /// Reads a record; fields added since the first records (`rounds`, `skipped_rounds`,
    /// `missing_rows_count`, `round_timing`, `evaluated`, `evaluations`) default when absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(Experiment.self, forKey: .config)
        epochs = try c.decode([EpochRecord].self, forKey: .epochs)
        finalTestAccuracy = try c.decode(Double.self, forKey: .finalTestAccuracy)
        totalSeconds = try c.decode(Double.self, forKey: .totalSeconds)
        aggregationTiming = try c.decode(TimingSummary.self, forKey: .aggregationTiming)
        byzantineSelection = try c.decode(ByzantineSelection.self, forKey: .byzantineSelection)
        rejectedRowsCount = try c.decode(Int.self, forKey: .rejectedRowsCount)
        rounds = try c.decodeIfPresent(Int.self, forKey: .rounds) ?? byzantineSelection.rounds
        skippedRounds = try c.decodeIfPresent(Int.self, forKey: .skippedRounds) ?? 0
        missingRowsCount = try c.decodeIfPresent(Int.self, forKey: .missingRowsCount) ?? 0
        roundTiming = try c.decodeIfPresent(TimingSummary.self, forKey: .roundTiming)
        evaluated = try c.decodeIfPresent(Bool.self, forKey: .evaluated) ?? true
        startedAt = try c.decode(String.self, forKey: .startedAt)
        finishedAt = try c.decode(String.self, forKey: .finishedAt)
        brsgdVersion = try c.decode(String.self, forKey: .brsgdVersion)
        host = try c.decode(HostInfo.self, forKey: .host)
        evaluations = try c.decodeIfPresent([EvaluationRecord].self, forKey: .evaluations)
    }
}
