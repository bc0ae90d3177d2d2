import ArgumentParser

/// `brsgd reproduce`: the paper's experiments, one command each.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce the paper's experiments (Table 1 / Figure 3, the strongly convex rate of Theorem 1) and the robustness grid of today's attacks.",
        subcommands: [ReproduceTable1Command.self, ReproduceRobustnessCommand.self, ReproduceConvexCommand.self])
}
