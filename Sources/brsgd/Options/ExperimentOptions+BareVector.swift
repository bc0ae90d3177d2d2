import BrSGDRecords
import RobustAggregation

extension ExperimentOptions {
    /// The options given that describe a built-in model's training, each with why it means
    /// nothing to the master of a bare vector (`--parameters`), in the order of `--help`.
    var optionsInapplicableToBareVector: [(option: String, reason: String)] {
        let noData = "the master of --parameters holds no dataset; the workers read their own"
        var found: [(String, String)] = []
        if config != nil {
            found.append(("--config", "an experiment file names a built-in model and its dataset; give the rule and optimizer options themselves"))
        }
        if model != nil { found.append(("--model", "the model is the vector of --parameters, which the workers define")) }
        if dataset != nil { found.append(("--dataset", noData)) }
        if dataDir != nil { found.append(("--data-dir", noData)) }
        if attackOptions.attack != nil || !attackOptions.given.isEmpty {
            let option = attackOptions.attack != nil ? "--attack" : attackOptions.given[0].option
            found.append((option, "a Byzantine worker of --parameters sends what its own code computes (--byzantine b only counts how often the rule selects workers 0..<b)"))
        }
        if partition != nil { found.append(("--partition", noData)) }
        if dirichletAlpha != nil { found.append(("--dirichlet-alpha", noData)) }
        if gamma != nil { found.append(("--gamma", noData)) }
        if epochs != nil { found.append(("--epochs", "without a dataset there is no epoch to count; give --rounds")) }
        if batchSize != nil { found.append(("--batch-size", "the workers choose their own batches")) }
        if evaluateEvery != nil { found.append(("--evaluate-every", "the master of --parameters evaluates nothing (no model to run, no test set)")) }
        if testSubset != nil { found.append(("--test-subset", "the master of --parameters evaluates nothing (no model to run, no test set)")) }
        if threads != nil { found.append(("--threads", "the master of --parameters computes no gradients and evaluates nothing")) }
        return found
    }

    /// The experiment of a bare vector of `parameterCount` parameters run for `rounds`
    /// rounds (``ModelName/parameters``): m, b, the rule, η, momentum, weight decay and the
    /// seed from these options; resolved and validated.
    /// - Throws: ``UsageError`` naming the first option that does not apply to a bare vector
    ///   and why, or ``ExperimentError`` naming the option at fault (exit 64).
    func checkedBareVector(parameterCount: Int, rounds: Int) throws -> Experiment.Checked {
        if let (option, reason) = optionsInapplicableToBareVector.first {
            throw UsageError("\(option): does not apply with --parameters: \(reason)")
        }
        var experiment = Experiment.bareVector(parameterCount: parameterCount, rounds: rounds, workers: workers ?? 1)
        if let b = try byzantineCount(workers: experiment.workers) { experiment.byzantine = b }
        experiment.rule = try ruleOptions.apply(to: experiment.rule)
        if let learningRate { experiment.learningRate = learningRate }
        if let momentum { experiment.momentum = momentum }
        if let weightDecay { experiment.weightDecay = weightDecay }
        if let seed { experiment.seed = seed }
        return try experiment.resolved().validated()
    }
}
