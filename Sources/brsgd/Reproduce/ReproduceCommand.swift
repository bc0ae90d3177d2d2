import ArgumentParser

/// `brsgd reproduce`: the paper's experiments, one command each.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce the paper's experiments: Table 1 / Figure 3, and the strongly convex rate of Theorem 1.",
        subcommands: [ReproduceTable1Command.self, ReproduceConvexCommand.self])
}
