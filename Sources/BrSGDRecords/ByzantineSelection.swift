/// How often the aggregation rule let each Byzantine worker's gradient through.
///
/// A rule "selects" a row when that row takes part in the aggregate (for BrSGD: the row is
/// in C1 ∩ C2; for Krum: it is the chosen row; for Multi-Krum: one of the q rows). Rules
/// that use every row (mean) or no single row (median) select every row or none; the
/// runner decides and documents which.
public struct ByzantineSelection: Codable, Sendable, Equatable, Hashable {
    /// One Byzantine worker's count.
    public struct Worker: Codable, Sendable, Equatable, Hashable {
        /// The worker's index in 0..<m (its row in the gradient matrix).
        public var worker: Int
        /// Rounds in which the rule selected this worker's gradient.
        public var selectedRounds: Int

        /// Creates a count for one worker.
        public init(worker: Int, selectedRounds: Int) {
            self.worker = worker
            self.selectedRounds = selectedRounds
        }

        enum CodingKeys: String, CodingKey {
            case worker
            case selectedRounds = "selected_rounds"
        }
    }

    /// Total aggregation rounds of the run.
    public var rounds: Int
    /// One entry per Byzantine worker, by increasing worker index.
    public var workers: [Worker]

    /// Creates a selection summary.
    public init(rounds: Int, workers: [Worker]) {
        self.rounds = rounds
        self.workers = workers.sorted { $0.worker < $1.worker }
    }

    /// Creates a summary from a map of worker index → rounds selected.
    public init(rounds: Int, selectedRounds: [Int: Int]) {
        self.init(rounds: rounds, workers: selectedRounds.map { Worker(worker: $0.key, selectedRounds: $0.value) })
    }

    /// The fraction of (Byzantine worker, round) pairs in which a Byzantine gradient was
    /// selected; 0 when there are no Byzantine workers or no rounds.
    public var selectionRate: Double {
        guard rounds > 0, !workers.isEmpty else { return 0 }
        let selected = workers.reduce(0) { $0 + $1.selectedRounds }
        return Double(selected) / Double(rounds * workers.count)
    }
}
