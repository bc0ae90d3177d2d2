import BrSGDRecords

/// A grid of runs over one base experiment: its cells differ only in the grid's axes
/// (rule, attack, b, seed, and for some grids the heterogeneity).
public protocol ExperimentGrid: Sendable {
    /// What every cell shares.
    var base: Experiment { get }
    /// Every run of the grid, defaults resolved.
    var configurations: [Experiment] { get }
    /// The cell this grid would make on `other`'s axes: it has `other`'s id exactly when
    /// `other` is a run over this grid's base (of this grid, or of a larger one over it).
    func cell(like other: Experiment) -> Experiment
}
