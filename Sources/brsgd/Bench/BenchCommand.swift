import ArgumentParser

/// `brsgd bench`: speed measurements, in release builds, printed as tables or JSON.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed (build with -c release first: debug builds are 10–100× slower).",
        subcommands: [BenchAggregateCommand.self, BenchAttacksCommand.self, BenchTrainCommand.self])
}

/// How a benchmark prints its results.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
