import ByzantineAttacks
import Foundation
import RobustAggregation

/// An experiment that cannot run, and why: which field, which value, what is allowed.
///
/// Library errors describe the problem in the experiment's own terms (``Experiment/Field``,
/// named as in files); the command line maps the field to its option
/// (``Experiment/Field/option``), so the same error reads right for a flag and for a file.
public struct ExperimentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is. Extensible: new codes never break a `switch` in user code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable, snake_case name, e.g. `out_of_range`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A value lies outside its allowed range (the message gives the range).
        public static let outOfRange = Code("out_of_range")
        /// A value was given that does not apply (a rule's or attack's parameter it does not
        /// take, an attack without Byzantine workers).
        public static let inapplicable = Code("inapplicable")
        /// A value that is needed is missing (Byzantine workers without an attack).
        public static let missing = Code("missing")
        /// Two values contradict each other, or the run cannot be made (too large to allocate,
        /// more workers than training examples, a rule that cannot run with this m).
        public static let inconsistent = Code("inconsistent")
        /// A file does not hold a valid experiment.
        public static let unreadable = Code("unreadable")
    }

    public var code: Code
    /// The field at fault, when there is one.
    public var field: Experiment.Field?
    /// The rule's parameter at fault (with ``field`` = `rule`), when there is one.
    public var ruleParameter: RuleConfiguration.Parameter?
    /// The attack's parameter at fault (with ``field`` = `attack`), when there is one.
    public var attackParameter: AttackConfiguration.Parameter?
    /// What is wrong, with the value and what is allowed, without naming the field:
    /// "is 100000; it must lie in 1...10000".
    public var detail: String

    public init(_ code: Code, field: Experiment.Field? = nil, ruleParameter: RuleConfiguration.Parameter? = nil,
                attackParameter: AttackConfiguration.Parameter? = nil, _ detail: String) {
        self.code = code
        self.field = field
        self.ruleParameter = ruleParameter
        self.attackParameter = attackParameter
        self.detail = detail
    }

    /// The name of what is at fault as a file spells it (`batch_size`, `rule.beta`), or nil.
    public var subject: String? {
        if let ruleParameter { return "rule.\(ruleParameter.rawValue)" }
        if let attackParameter { return "attack.\(attackParameter.rawValue)" }
        return field?.rawValue
    }

    /// The name of what is at fault as the command line spells it (`--batch-size`, `--beta`), or nil.
    public var option: String? {
        if let ruleParameter { return ruleParameter.option }
        if let attackParameter { return attackParameter.option }
        return field?.option
    }

    /// The error as one line, naming the field as a file does: "batch_size: is 0; it must …".
    public var description: String { subject.map { "\($0): \(detail)" } ?? detail }

    /// The error as one line, naming the option as the command line does: "--batch-size: is 0; …".
    public var commandLineDescription: String { option.map { "\($0): \(detail)" } ?? detail }
}

extension Experiment {
    /// The fields of an experiment, named as in files (snake_case) and, with dashes, as the
    /// command line's options.
    public enum Field: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
        case model, dataset
        case dataDirectory = "data_dir"
        case partition
        case dirichletAlpha = "dirichlet_alpha"
        /// γ of the gamma-similarity partition.
        case gamma
        case workers, byzantine, attack, rule
        case learningRate = "lr"
        case momentum
        case workerMomentum = "worker_momentum"
        case weightDecay = "weight_decay"
        case normalize
        case epochs
        case batchSize = "batch_size"
        case seed
        case testSubset = "test_subset"
        /// Rounds between test evaluations during training.
        case evaluateEvery = "evaluate_every"
        case threads
        /// d of a bare vector (the length of `--parameters`' vector).
        case parameterCount = "parameter_count"
        /// T: a bare vector's rounds, or a built-in model's instead of its epochs.
        case rounds

        public var description: String { rawValue }
        /// The command-line option: `--batch-size` (`--parameters` for `parameter_count`:
        /// the command line gives d as the vector's file).
        public var option: String {
            self == .parameterCount ? "--parameters" : "--" + rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }
}
