import ArgumentParser

/// `brsgd reproduce`: the paper's experiments, one command each.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce the paper's experiments (Table 1 / Figure 3, the strongly convex rate of Theorem 1), the robustness grid of today's attacks, and ByzFL's benchmark.",
        subcommands: [ReproduceTable1Command.self, ReproduceRobustnessCommand.self, ReproduceByzFLCommand.self,
                      ReproduceConvexCommand.self])
}
