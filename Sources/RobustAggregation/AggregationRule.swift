/// A robust aggregation rule: combines the m gradients of a round into one.
///
/// Every rule first drops the rows that hold any non-finite value (NaN, ±Inf) and reports
/// them as rejected; m' rows remain (an error if none do). A rule that takes the number of
/// Byzantine workers f uses f' = max(0, f − rejected), since a rejected row was one of
/// them or was not worth counting. The exact semantics of every rule are in its doc
/// comment and in the README ("Aggregation semantics").
///
/// ```swift
/// let rule = BrSGD(selectionFraction: 0.5)              // β = 1/2, T = auto
/// let result = try rule.aggregate(gradients)             // GradientMatrix, m × d
/// model.step(along: result.gradient)
/// print(result.diagnostics.selectedRows)                 // C1 ∩ C2
/// ```
///
/// Rules are values, safe to share across threads; they keep no state between rounds. A
/// rule that draws randomness (``Bucketing``) takes a seed when it is made and the round
/// with each call, `aggregate(_:round:)`, so the same seed and round give the same bytes.
public protocol AggregationRule: Sendable {
    /// The rule's name with its parameters, for example `krum(f=5)`.
    var name: String { get }

    /// Aggregates the accepted (finite) rows. Implement this; callers use
    /// `aggregate(_: GradientMatrix)`, and wrappers such as ``NearestNeighborMixing`` call
    /// it with rows they have transformed.
    func aggregate(_ rows: AcceptedRows) throws(AggregationError) -> AggregationResult

    /// Drops non-finite rows, then aggregates the rest. The default scans every row first;
    /// a rule may instead detect non-finite rows during its own first pass (see ``Mean``).
    func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult

    /// True when the result depends on ``AcceptedRows/round`` (a random draw seeded per
    /// round, as ``Bucketing``'s permutation); false, the default, for deterministic rules.
    var isRandomized: Bool { get }

    /// True when the result depends on ``AcceptedRows/previousAggregate``, the last round's
    /// aggregate: the rule keeps history, and its driver (``aggregate(_:round:previousAggregate:)``)
    /// must hand it the aggregate it returned the round before. False, the default.
    var usesPreviousAggregate: Bool { get }
}

extension AggregationRule {
    /// Drops non-finite rows, then aggregates the rest.
    /// - Complexity: O(md) for the finiteness scan, plus the rule's own cost.
    public func aggregate(_ gradients: GradientMatrix) throws(AggregationError) -> AggregationResult {
        try aggregate(AcceptedRows(gradients))
    }

    /// Deterministic by default.
    public var isRandomized: Bool { false }

    /// Drops non-finite rows, then aggregates the rest as rows of training round `round`,
    /// which seeds the random draws of a randomized rule (``Bucketing``): the same rule
    /// (made with the same seed), round and matrix give the same result on every machine.
    /// A deterministic rule ignores the round and takes its own `aggregate(_:)` path.
    /// - Complexity: that of `aggregate(_:)`.
    public func aggregate(_ gradients: GradientMatrix, round: Int) throws(AggregationError) -> AggregationResult {
        guard isRandomized else { return try aggregate(gradients) }
        return try aggregate(AcceptedRows(gradients, round: round))
    }

    /// No history by default.
    public var usesPreviousAggregate: Bool { false }

    /// Aggregates round `round` given the last round's aggregate (nil before the first):
    /// the one interface through which a rule keeps memory across rounds. A rule without
    /// history takes its ``aggregate(_:round:)`` path and ignores `previousAggregate`.
    /// - Complexity: that of `aggregate(_:)`.
    public func aggregate(_ gradients: GradientMatrix, round: Int,
                          previousAggregate: [Float]?) throws(AggregationError) -> AggregationResult {
        guard usesPreviousAggregate else { return try aggregate(gradients, round: round) }
        return try aggregate(AcceptedRows(gradients, round: round, previousAggregate: previousAggregate))
    }
}

/// f' = max(0, f − rejected − merged): the Byzantine budget left for the accepted rows.
@inline(__always)
func remainingByzantineCount(_ f: Int, _ rows: AcceptedRows) -> Int {
    max(0, f - rows.rejectedRows.count - rows.mergedRowCount)
}
