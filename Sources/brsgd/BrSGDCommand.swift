import ArgumentParser
import Foundation
import KernelPaths

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

            Every command gives the same bytes on every CPU: the kernels' order of operations \
            is brsgd's own. The environment variable BRSGD_KERNELS=reference|avx2|avx512 \
            forces one instruction-set path (unset: the fastest this CPU runs); a path this CPU \
            lacks is refused before any work.
            """ + networkCommandsNote,
        version: "0.1.0",
        subcommands: [DemoCommand.self, TrainCommand.self, ReproduceCommand.self, AggregateCommand.self, BenchCommand.self]
            + networkCommands
    )

    /// Refuses an invalid `BRSGD_KERNELS` before any work (one line, exit code 64), then runs
    /// the command as `AsyncParsableCommand.main()` would.
    static func main() async {
        if let error = KernelPath.selectionError {
            Terminal.note("error: \(error)")
            Foundation.exit(64)
        }
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
