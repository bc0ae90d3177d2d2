import BrSGDRecords
import ByzantineAttacks
import RobustAggregation

extension Experiment {
    /// This experiment as one cell of a grid: its rule, attack, b and seed replaced, every
    /// default resolved.
    ///
    /// The rule keeps the parameters of `configuration` (β for BrSGD); its f, when it takes
    /// one, is the cell's b (the grids assume the defender knows b). A cell whose defaults
    /// cannot be resolved (ALIE's automatic z at α > ½) is returned unresolved: validation
    /// reports it as a failed run, not a crash.
    func gridCell(rule configuration: RuleConfiguration, attack: AttackConfiguration?, byzantine: Int, seed: UInt64) -> Experiment {
        var experiment = self
        var configuration = configuration
        if configuration.needsByzantineCount { configuration.byzantineCount = nil }   // each cell's b
        experiment.rule = configuration
        experiment.byzantine = byzantine
        experiment.attack = attack
        experiment.seed = seed
        return (try? experiment.resolved()) ?? experiment
    }

    /// The attack of kind `kind` a grid over this experiment runs: this experiment's own when
    /// it is of that kind (a base with ipm ε = 0.5 gives every ipm cell ε = 0.5), else the
    /// kind's defaults.
    func gridAttack(_ kind: AttackKind) -> AttackConfiguration {
        if let attack, attack.kind == kind { return attack }
        return AttackConfiguration(kind: kind)
    }
}
