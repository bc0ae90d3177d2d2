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
        return arguments
    }
}
