import ByzantineAttacks

extension AttackConfiguration {
    /// The options that give this attack on a command line (`--attack gaussian --sigma 200`),
    /// for the worker processes `cluster` starts.
    var commandLineArguments: [String] {
        var arguments = ["--attack", kind.rawValue]
        if let standardDeviation { arguments += [Parameter.standardDeviation.option, "\(standardDeviation)"] }
        if let scale { arguments += [Parameter.scale.option, "\(scale)"] }
        if let z { arguments += [Parameter.z.option, "\(z)"] }
        if let epsilon { arguments += [Parameter.epsilon.option, "\(epsilon)"] }
        if let target { arguments += [Parameter.target.option, "\(target)"] }
        if let mimicMode { arguments += [Parameter.mimicMode.option, mimicMode.rawValue] }
        if let factor { arguments += [Parameter.factor.option, "\(factor)"] }
        if let perturbation { arguments += [Parameter.perturbation.option, perturbation.rawValue] }
        if let initialGamma { arguments += [Parameter.initialGamma.option, "\(initialGamma)"] }
        if let evaluations { arguments += [Parameter.evaluations.option, "\(evaluations)"] }
        if let searchStart { arguments += [Parameter.searchStart.option, "\(searchStart)"] }
        if let searchStep { arguments += [Parameter.searchStep.option, "\(searchStep)"] }
        if let searchRatio { arguments += [Parameter.searchRatio.option, "\(searchRatio)"] }
        return arguments
    }
}
