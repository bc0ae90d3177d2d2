import NeuralEngine

/// The cluster's bytes are those of BLAS on one thread.
///
/// OpenBLAS adds up a large enough product in another order when it splits it over several
/// threads, and its thread count is one process-wide setting that defaults to the number of
/// cores. So the simulation, a networked worker and the master's evaluation would give
/// different bytes on a one-core and a many-core machine, or whenever anything else in the
/// process changes the setting — not only when a `brsgd` command forgot to set it. Every
/// computation whose bytes the cluster promises (``GradientComputer``, ``Evaluator``)
/// calls ``pin()`` first; its parallelism is its own (lanes, shards), never BLAS's.
enum OneThreadBLAS {
    /// Puts BLAS on one thread unless it already is (a read of one integer when it is).
    static func pin() {
        if BLAS.threadCount != 1 { BLAS.setThreadCount(1) }
    }
}
