import ArgumentParser

/// The `brsgd` command: Byzantine-resilient distributed SGD, its aggregation rules,
/// attacks, experiments and benchmarks. The root holds only configuration; each
/// subcommand lives in its own file.
@main
struct BrSGDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brsgd",
        abstract: "Byzantine-resilient distributed SGD (BrSGD) and the robust aggregation rules it is compared with.",
        discussion: """
            A master and m workers train a model by synchronous SGD while some workers are \
            Byzantine and send arbitrary vectors; the master's robust aggregation rule keeps \
            training on course. See the README for the paper and the results.
            """ + networkCommandsNote,
        version: "0.1.0",
        subcommands: [DemoCommand.self, TrainCommand.self, ReproduceCommand.self, AggregateCommand.self, BenchCommand.self]
            + networkCommands
    )
}
