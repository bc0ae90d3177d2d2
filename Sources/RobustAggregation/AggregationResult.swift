/// The output of one aggregation: the aggregate gradient and what the rule did to get it.
public struct AggregationResult: Sendable, Equatable {
    /// The aggregate gradient, of length d.
    public var gradient: [Float]
    /// Which rows were rejected, kept and selected, and the rule's scores.
    public var diagnostics: AggregationDiagnostics

    public init(gradient: [Float], diagnostics: AggregationDiagnostics) {
        self.gradient = gradient
        self.diagnostics = diagnostics
    }
}

/// What a rule did: rows are always named by their index in the input matrix (the worker
/// index), never by their position among the accepted rows.
public struct AggregationDiagnostics: Sendable, Equatable, Codable {
    /// The rule's name with its parameters, for example `brsgd(beta=0.5,threshold=auto)`.
    public var rule: String
    /// Rows dropped because they hold a NaN or ±Inf, in increasing order.
    public var rejectedRows: [Int]
    /// Rows that were finite and given to the rule (m' of them), in increasing order.
    public var acceptedRows: [Int]
    /// Rows whose values entered the output: all accepted rows for mean and the
    /// coordinate-wise rules, the winner for Krum, C1 ∩ C2 for BrSGD. Increasing order.
    public var selectedRows: [Int]
    /// Per accepted row (parallel to `acceptedRows`): the Krum score (sum of squared
    /// distances to its nearest neighbours) for the Krum family and Bulyan's first pass.
    public var scores: [Double]?
    /// Iterations run, for iterative rules (geometric median, centered clipping).
    public var iterations: Int?
    /// BrSGD's own diagnostics (Algorithm 2): C1, C2, the scores and the L1 distances.
    public var brsgd: BrSGDDiagnostics?

    public init(rule: String, rejectedRows: [Int], acceptedRows: [Int], selectedRows: [Int],
                scores: [Double]? = nil, iterations: Int? = nil, brsgd: BrSGDDiagnostics? = nil) {
        self.rule = rule
        self.rejectedRows = rejectedRows
        self.acceptedRows = acceptedRows
        self.selectedRows = selectedRows
        self.scores = scores
        self.iterations = iterations
        self.brsgd = brsgd
    }

    enum CodingKeys: String, CodingKey {
        case rule, scores, iterations, brsgd
        case rejectedRows = "rejected_rows"
        case acceptedRows = "accepted_rows"
        case selectedRows = "selected_rows"
    }
}

/// The intermediate sets of BrSGD's Algorithm 2, for one aggregation.
public struct BrSGDDiagnostics: Sendable, Equatable, Codable {
    /// s_i, per accepted row (parallel to `AggregationDiagnostics.acceptedRows`): how many
    /// coordinates put row i on the majority side of the column mean (minority entries count −1).
    public var scores: [Int]
    /// ‖g_i − med‖₁ per accepted row (parallel to `acceptedRows`).
    public var distances: [Double]
    /// The threshold T used in Constraint 1 (given, or the median of `distances` for `auto`).
    public var threshold: Double
    /// C1 = { i : ‖g_i − med‖₁ ≤ 2T } (Constraint 1), as row indices.
    public var constraint1: [Int]
    /// C2 = the ⌈βm'⌉ rows with the highest scores (Constraint 2), as row indices.
    public var constraint2: [Int]
    /// True when C1 ∩ C2 was empty and the coordinate-wise median was returned instead.
    public var returnedMedian: Bool

    enum CodingKeys: String, CodingKey {
        case scores, distances, threshold
        case constraint1
        case constraint2
        case returnedMedian = "returned_median"
    }
}
