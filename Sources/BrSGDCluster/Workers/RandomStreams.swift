import SeededRandom

/// The seeded generators of a run, one independent stream per purpose, so that every
/// random choice is a pure function of (seed, purpose, worker, round): a networked worker
/// computes the same batch as the simulation without sharing any state, and a restarted
/// master needs no generator state to resume.
public enum RandomStreams {
    private static func domain(_ seed: UInt64, _ purpose: UInt64) -> UInt64 {
        seed &+ purpose &* 0x9E37_79B9_7F4A_7C15
    }

    /// The seed of the model's initialisation.
    public static func initialization(_ seed: UInt64) -> UInt64 { domain(seed, 1) }

    /// The generator that partitions the training set over the workers.
    public static func partition(_ seed: UInt64) -> SeededGenerator {
        SeededGenerator(seed: domain(seed, 2))
    }

    /// The generator that shuffles worker `worker`'s examples for its epoch `epoch`.
    public static func batches(_ seed: UInt64, worker: Int, epoch: Int) -> SeededGenerator {
        SeededGenerator(seed: domain(seed, 3), stream: UInt64(worker) << 32 | UInt64(epoch))
    }

    /// The generator of worker `worker`'s attack in round `round`.
    public static func attack(_ seed: UInt64, worker: Int, round: Int) -> SeededGenerator {
        SeededGenerator(seed: domain(seed, 4), stream: UInt64(worker) << 32 | UInt64(round))
    }

    /// The generator that picks which examples of the test set to evaluate on (when limited).
    public static func evaluation(_ seed: UInt64) -> SeededGenerator {
        SeededGenerator(seed: domain(seed, 5))
    }
}
