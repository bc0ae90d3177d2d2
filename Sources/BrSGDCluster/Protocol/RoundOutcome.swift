import RobustAggregation

/// What one round of Algorithm 1 produced, as the master saw it.
public struct RoundOutcome: Sendable {
    /// The round's index (0-based).
    public var round: Int
    /// The rule's diagnostics: rejected, accepted and selected workers.
    public var diagnostics: AggregationDiagnostics
    /// Workers whose gradient did not arrive (or was refused) before the round closed;
    /// their rows were aggregated as missing (NaN rows, so every rule rejects them).
    public var missingWorkers: [Int]
    /// Wall time of the aggregation alone, in seconds.
    public var aggregationSeconds: Double
    /// Why the round could not be aggregated (the model did not move), or nil when it was.
    public var skipReason: AggregationError?

    public init(round: Int, diagnostics: AggregationDiagnostics, missingWorkers: [Int] = [], aggregationSeconds: Double,
                skipReason: AggregationError? = nil) {
        self.round = round
        self.diagnostics = diagnostics
        self.missingWorkers = missingWorkers
        self.aggregationSeconds = aggregationSeconds
        self.skipReason = skipReason
    }

    /// True when the round was skipped (see ``MasterStateMachine/finishOrSkipRound()``).
    public var isSkipped: Bool { skipReason != nil }
}
