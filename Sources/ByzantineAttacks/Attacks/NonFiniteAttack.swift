import SeededRandom

/// Sends a vector of NaN or ±Inf in every coordinate: not an attack on the learning but a
/// test of the master, which must reject the row rather than let it poison the aggregate.
///
/// Rule: output[c] = value for every c. Parameter: the value (NaN, +Inf or −Inf).
/// Knowledge: none. Names: `nan`, `inf`, `-inf`.
///
/// Not from a paper: it checks the finiteness filter every rule in `RobustAggregation`
/// applies first (see ``RobustAggregation/AcceptedRows``).
public struct NonFiniteAttack: Attack {
    /// The non-finite value sent in every coordinate.
    public enum Value: Sendable, Hashable {
        case nan
        case positiveInfinity
        case negativeInfinity

        /// The value as a `Float`.
        public var floatValue: Float {
            switch self {
            case .nan: .nan
            case .positiveInfinity: .infinity
            case .negativeInfinity: -.infinity
            }
        }
    }

    /// The value sent in every coordinate.
    public let value: Value

    public init(_ value: Value = .nan) {
        self.value = value
    }

    public var name: String {
        switch value {
        case .nan: "nan"
        case .positiveInfinity: "inf"
        case .negativeInfinity: "-inf"
        }
    }

    public var knowledge: AttackKnowledge { .none }

    /// - Complexity: O(d).
    public func craft(
        into output: UnsafeMutableBufferPointer<Float>, context: AttackContext,
        generator: inout SeededGenerator
    ) {
        output.update(repeating: value.floatValue)
    }
}
