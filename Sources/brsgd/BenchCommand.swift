import ArgumentParser

/// `brsgd bench`: micro-benchmarks of the engine and the aggregation rules.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of training and aggregation.",
        subcommands: [BenchTrainCommand.self]
    )
}
