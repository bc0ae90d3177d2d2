import ByzantineAttacks
import Foundation
import RobustAggregation

extension Experiment {
    /// The most workers an experiment may have.
    public static let maximumWorkers = 10_000
    /// The most epochs an experiment may run.
    public static let maximumEpochs = 100_000
    /// The most gradient threads.
    public static let maximumThreads = 1_024
    /// The most parameters a bare vector may have, 2²⁷: the master accepts a request of up
    /// to four times a vector's packed size, and a protobuf message must stay below 2 GiB.
    public static let maximumParameterCount = 1 << 27
    /// The most rounds a run may make (a bare vector's T, or a built-in model's `rounds`).
    public static let maximumRounds = 100_000_000

    /// The same experiment with every default written out, so that the record says exactly
    /// what ran: the rule's fixed defaults (``RuleConfiguration/resolved()``), its f set to b
    /// when the rule (or NNM) needs one and none was given, and the attack's defaults
    /// (σ = 200, ALIE's z from m and b, …; ``AttackConfiguration/resolved(workerCount:byzantineCount:)``).
    /// - Throws: ``ExperimentError`` when a default cannot be computed (ALIE's z with
    ///   b > ⌊m/2⌋ and no z given).
    public func resolved() throws(ExperimentError) -> Experiment {
        var copy = self
        // A run counted in rounds has no epochs of its own: keep the field at its default,
        // as a file without `epochs` reads, so the experiment equals its JSON round trip.
        if rounds != nil && !isBareVector { copy.epochs = Experiment().epochs }
        copy.rule = rule.resolved()
        if copy.rule.needsByzantineCount && copy.rule.byzantineCount == nil { copy.rule.byzantineCount = byzantine }
        if let attack, byzantine > 0, (0 ... max(0, workers)).contains(byzantine) {
            do {
                copy.attack = try attack.resolved(workerCount: workers, byzantineCount: byzantine)
            } catch {
                throw ExperimentError(error)
            }
        }
        return copy
    }

    /// A validated experiment with its rule and attack built (once, for the run to use).
    public struct Checked: Sendable {
        public let experiment: Experiment
        public let rule: any AggregationRule
        /// nil without Byzantine workers.
        public let attack: (any Attack)?
    }

    /// Checks every field and every rule between fields, and builds the rule (tried on m
    /// rows, so that Krum with m − f − 2 < 1 fails here) and the attack.
    ///
    /// Ranges: 1 ≤ m ≤ 10,000 and m ≤ the training examples; 0 ≤ b ≤ m, an attack exactly
    /// when b > 0; 1 ≤ epochs ≤ 100,000; 1 ≤ batch size ≤ the training examples; η finite
    /// and > 0; momentum and worker momentum in [0, 1); weight decay finite and ≥ 0; Dirichlet α finite and
    /// > 0; γ in [0, 1] with at least one honest worker; 1 ≤ rounds (when given instead of
    /// epochs) ≤ 10⁸; 1 ≤ evaluate every ≤ 10⁸; 1 ≤ test subset ≤ the test examples; 1 ≤ threads ≤ 1,024; the m × d gradient
    /// matrix must fit in this machine's memory.
    ///
    /// A bare vector (``ModelName/parameters``) has no dataset: 1 ≤ d ≤ 2²⁷
    /// (``maximumParameterCount``), 1 ≤ T ≤ 10⁸ rounds, 1 ≤ m ≤ 10,000, 0 ≤ b ≤ m and no
    /// attack (b only names the workers whose selections are counted); η, momentum, weight
    /// decay, threads, memory and the rule as above. A built-in model has no
    /// `parameter_count`.
    /// - Throws: the first ``ExperimentError`` found, naming the field and the allowed range.
    public func validated() throws(ExperimentError) -> Checked {
        func check(_ ok: Bool, _ field: Field, _ detail: @autoclosure () -> String) throws(ExperimentError) {
            if !ok { throw ExperimentError(.outOfRange, field: field, detail()) }
        }
        if isBareVector { return try validatedBareVector() }
        if parameterCount != nil {
            throw ExperimentError(.inapplicable, field: .parameterCount,
                                  "applies to the parameters model only; \(model.rawValue) has \(dimension) parameters")
        }
        if let rounds {
            try check((1 ... Self.maximumRounds).contains(rounds), .rounds, "is \(rounds); it must lie in 1...\(Self.maximumRounds)")
        }
        if let evaluateEvery {
            try check((1 ... Self.maximumRounds).contains(evaluateEvery), .evaluateEvery,
                      "is \(evaluateEvery); it must lie in 1...\(Self.maximumRounds) (rounds between evaluations)")
        }
        let n = dataset.trainingCount
        try check((1 ... Self.maximumWorkers).contains(workers), .workers,
                  "is \(workers); it must lie in 1...\(Self.maximumWorkers)")
        guard workers <= n else {
            throw ExperimentError(.inconsistent, field: .workers,
                                  "is \(workers), more than the \(n) training examples of \(dataset.rawValue): some workers would have no data")
        }
        try check((0 ... workers).contains(byzantine), .byzantine, "is \(byzantine); it must lie in 0...\(workers) (the workers)")
        if byzantine > 0 && attack == nil {
            throw ExperimentError(.missing, field: .attack,
                                  "\(byzantine) Byzantine workers need an attack (\(AttackKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if byzantine == 0, let attack {
            throw ExperimentError(.inapplicable, field: .attack,
                                  "'\(attack.kind.rawValue)' has no Byzantine worker to run it: give the number of Byzantine workers (byzantine > 0)")
        }
        try check((1 ... Self.maximumEpochs).contains(epochs), .epochs, "is \(epochs); it must lie in 1...\(Self.maximumEpochs)")
        try check((1 ... n).contains(batchSize), .batchSize, "is \(batchSize); it must lie in 1...\(n) (the training examples)")
        try check(learningRate.isFinite && learningRate > 0, .learningRate, "is \(learningRate); it must be a finite number > 0")
        try check(momentum.isFinite && momentum >= 0 && momentum < 1, .momentum, "is \(momentum); it must lie in [0, 1)")
        try check(workerMomentum.isFinite && workerMomentum >= 0 && workerMomentum < 1, .workerMomentum,
                  "is \(workerMomentum); it must lie in [0, 1) (1 would never let a gradient in)")
        try check(weightDecay.isFinite && weightDecay >= 0, .weightDecay, "is \(weightDecay); it must be a finite number ≥ 0")
        if let alpha = partition.dirichletAlpha {
            try check(alpha.isFinite && alpha > 0, .dirichletAlpha, "is \(alpha); it must be a finite number > 0")
        }
        if let gamma = partition.gamma {
            try check(gamma.isFinite && gamma >= 0 && gamma <= 1, .gamma,
                      "is \(gamma); it must lie in [0, 1] (1: IID, 0: sorted by label)")
            guard byzantine < workers else {
                throw ExperimentError(.inconsistent, field: .byzantine,
                                      "is \(byzantine) of \(workers) workers: the gamma partition splits the data over the honest workers, and there are none")
            }
        }
        if let testSubset {
            try check((1 ... dataset.testCount).contains(testSubset), .testSubset,
                      "is \(testSubset); it must lie in 1...\(dataset.testCount) (the test examples)")
        }
        try check((1 ... Self.maximumThreads).contains(threads), .threads, "is \(threads); it must lie in 1...\(Self.maximumThreads)")
        try Self.checkMemory(rows: workers, columns: dimension, field: .workers)
        return try checkedWithRuleAndAttack()
    }

    /// ``validated()`` of a bare vector: no dataset to bound m, the batch or the test subset.
    private func validatedBareVector() throws(ExperimentError) -> Checked {
        func check(_ ok: Bool, _ field: Field, _ detail: @autoclosure () -> String) throws(ExperimentError) {
            if !ok { throw ExperimentError(.outOfRange, field: field, detail()) }
        }
        guard let parameterCount else {
            throw ExperimentError(.missing, field: .parameterCount, "the parameters model needs d, its number of parameters")
        }
        try check((1 ... Self.maximumParameterCount).contains(parameterCount), .parameterCount,
                  "holds \(parameterCount) parameters; it must hold 1...\(Self.maximumParameterCount)")
        guard let rounds else {
            throw ExperimentError(.missing, field: .rounds, "the parameters model needs the number of rounds to run")
        }
        try check((1 ... Self.maximumRounds).contains(rounds), .rounds, "is \(rounds); it must lie in 1...\(Self.maximumRounds)")
        try check((1 ... Self.maximumWorkers).contains(workers), .workers,
                  "is \(workers); it must lie in 1...\(Self.maximumWorkers)")
        try check((0 ... workers).contains(byzantine), .byzantine, "is \(byzantine); it must lie in 0...\(workers) (the workers)")
        if let attack {
            throw ExperimentError(.inapplicable, field: .attack,
                                  "'\(attack.kind.rawValue)' cannot run on the master of the parameters model: its workers decide what they send")
        }
        if evaluateEvery != nil {
            throw ExperimentError(.inapplicable, field: .evaluateEvery,
                                  "applies to a built-in model; the master of the parameters model has no test set to evaluate on")
        }
        try check(learningRate.isFinite && learningRate > 0, .learningRate, "is \(learningRate); it must be a finite number > 0")
        try check(momentum.isFinite && momentum >= 0 && momentum < 1, .momentum, "is \(momentum); it must lie in [0, 1)")
        try check(weightDecay.isFinite && weightDecay >= 0, .weightDecay, "is \(weightDecay); it must be a finite number ≥ 0")
        try check((1 ... Self.maximumThreads).contains(threads), .threads, "is \(threads); it must lie in 1...\(Self.maximumThreads)")
        try Self.checkMemory(rows: workers, columns: parameterCount, field: .workers)
        return try checkedWithRuleAndAttack()
    }

    /// The rule (tried on m rows) and the attack, built once.
    private func checkedWithRuleAndAttack() throws(ExperimentError) -> Checked {
        let builtRule: any AggregationRule
        do {
            builtRule = try rule.makeRule(seed: seed, checkedFor: workers)
        } catch {
            throw ExperimentError(error, workers: workers)
        }
        var builtAttack: (any Attack)?
        if let attack {
            do {
                let made = try attack.makeAttack()
                try made.validate(workerCount: workers, byzantineCount: byzantine)
                builtAttack = made
            } catch {
                throw ExperimentError(error)
            }
        }
        return Checked(experiment: self, rule: builtRule, attack: builtAttack)
    }

    /// Throws unless an m × d float32 matrix (the master's gradients) fits in half this
    /// machine's memory, leaving room for the model, the workers and the data.
    /// - Throws: ``ExperimentError/Code/inconsistent`` naming `field`, the size and the memory.
    public static func checkMemory(rows: Int, columns: Int, field: Field?) throws(ExperimentError) {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        let bytes = Double(rows) * Double(columns) * 4
        guard bytes <= memory / 2 else {
            throw ExperimentError(
                .inconsistent, field: field,
                String(format: "%d × %d parameters need a %.1f GB gradient matrix; this machine has %.1f GB of memory (at most half of it may go to the matrix)",
                       rows, columns, bytes / 1e9, memory / 1e9))
        }
    }
}

extension ExperimentError {
    /// A rule that cannot be built or cannot run with m workers, as an experiment error.
    public init(_ error: AggregationError, workers: Int) {
        let code: Code = switch error.code {
        case .inapplicableParameter: .inapplicable
        case .invalidParameter: .outOfRange
        default: .inconsistent
        }
        let detail = error.code == .tooFewRows ? "\(error.message) (with m = \(workers) workers)" : error.message
        self.init(code, field: .rule, ruleParameter: error.parameter, detail)
    }

    /// An attack that cannot be built or cannot run with these m and b, as an experiment error.
    public init(_ error: AttackError) {
        let code: Code = switch error.code {
        case .inapplicableParameter: .inapplicable
        case .invalidParameter: .outOfRange
        default: .inconsistent
        }
        self.init(code, field: .attack, attackParameter: error.parameter, error.message)
    }
}
