/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014), the small generator behind ``Bucketing``'s permutation.
///
/// RobustAggregation depends on nothing, so it carries its own generator; the definition is
/// exact integer arithmetic, so the same (seed, round) gives the same permutation on every
/// machine and in every language:
///
///     mix(z):  z = (z ⊕ (z >> 30)) · 0xBF58476D1CE4E5B9
///              z = (z ⊕ (z >> 27)) · 0x94D049BB133111EB
///              return z ⊕ (z >> 31)                         (all mod 2⁶⁴)
///     state₀ = mix(seed ⊕ mix(round + 0x9E3779B97F4A7C15))  (round as its 64-bit two's complement)
///     next():  state += 0x9E3779B97F4A7C15; return mix(state)
struct SplitMix64 {
    static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
    private(set) var state: UInt64

    init(seed: UInt64, round: Int) {
        state = Self.mix(seed ^ Self.mix(UInt64(bitPattern: Int64(round)) &+ Self.golden))
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state &+= Self.golden
        return Self.mix(state)
    }

    /// A permutation of 0..<count by Fisher–Yates (Durstenfeld): for i = count − 1 down to 1,
    /// swap position i with position next() mod (i + 1). (The modulo bias is below
    /// count / 2⁶⁴, far under anything measurable for the worker counts of training.)
    /// - Complexity: O(count).
    static func permutation(count: Int, seed: UInt64, round: Int) -> [Int] {
        var order = Array(0 ..< count)
        guard count > 1 else { return order }
        var generator = SplitMix64(seed: seed, round: round)
        for i in stride(from: count - 1, through: 1, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }
}
