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
}
