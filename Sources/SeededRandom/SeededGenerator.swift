/// A fast, seedable pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018),
/// seeded through SplitMix64 so that any 64-bit seed (including 0) gives a good state.
///
/// Every random draw in brsgd takes one of these, passed in, so the same seed gives the
/// same bytes on every machine, in simulation and over the network. Independent streams
/// for workers, epochs or attacks come from `init(seed:stream:)`:
///
/// ```swift
/// var initRNG = SeededGenerator(seed: 1)                   // model initialisation
/// var worker7 = SeededGenerator(seed: 1, stream: 7)        // worker 7's batches
/// let x = initRNG.nextNormal()                             // N(0, 1)
/// ```
///
/// Not cryptographically secure.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The generator of stream `stream` under `seed`: streams of one seed are independent
    /// for all practical purposes, and stream 0 is not `init(seed:)`.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(state: seed)
        let base = mixer.next()
        var sm = SplitMix64(state: base ^ (stream &+ 1) &* 0xD1B5_4A32_D192_ED03)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The next 64 random bits.
    /// - Complexity: O(1).
    public mutating func next() -> UInt64 {
        var copy = state
        let result = copy.next()
        state = copy
        return result
    }

    /// The four state words, for a loop that keeps them in registers (``fillNormal(_:standardDeviation:)``):
    /// a `mutating` call through `self` reads and writes them in memory at every draw, and
    /// the store-to-load latency then sets the pace (8 ns a draw in the ziggurat's loop).
    @inline(__always) var state: State {
        get { State(s0: s0, s1: s1, s2: s2, s3: s3) }
        set { s0 = newValue.s0; s1 = newValue.s1; s2 = newValue.s2; s3 = newValue.s3 }
    }

    /// xoshiro256**'s state as a value, stepped by ``next()`` exactly as the generator is.
    struct State {
        var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

        /// The generator's ``SeededGenerator/next()``, on this copy of the state.
        @inline(__always) mutating func next() -> UInt64 {
            let result = rotl(s1 &* 5, 7) &* 9
            let t = s1 << 17
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
            s2 ^= t
            s3 = rotl(s3, 45)
            return result
        }
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw, N(0, 1), by the Box–Muller transform.
    public mutating func nextNormal() -> Double {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - nextUnitDouble()
        let u2 = nextUnitDouble()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }
}

@inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// SplitMix64 (Steele, Lea & Flood, 2014): used only to expand seeds.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
