/// A comparator network that puts chosen order statistics of n values in place, applied
/// to 16 columns at once with branch-free min/max (vectorised by the compiler).
///
/// Built from Batcher's merge-exchange sort for any n (Knuth, TAOCP vol. 3, §5.2.2,
/// Algorithm M), then pruned backwards to the comparators that can affect the wanted
/// output positions. For the median of 20 it keeps far fewer comparators than a full
/// sort. A network costs O(n log² n) comparators per column, but without a single
/// data-dependent branch; for n above ``maximumNetworkSize`` the rules switch to
/// quickselect (expected O(n) per column).
struct SelectionNetwork {
    /// Up to this many values the network is used (a tile of 16 KB). At n = 100, d = 1e6 it took
    /// a fifth of quickselect's time for the median and a ninth of a sort's for the trimmed mean.
    static let maximumNetworkSize = 256
    /// Up to this many values the network was used before ``maximumNetworkSize`` was raised;
    /// above it, quickselect and sorting chose the values, and where a column holds both −0
    /// and +0 they may put the other zero at a chosen rank. ``ColumnOrderStatistics`` takes such
    /// columns the old way, so that every result keeps its bits.
    static let earlierMaximumNetworkSize = 48
    /// Columns processed together.
    static let lanes = 16

    let size: Int
    /// Comparators (low, high): after one, low holds the min and high the max.
    private(set) var comparators: [(Int32, Int32)] = []

    /// A network leaving positions `ranks` (0-based, ascending order) exactly as a full sort would.
    init(size: Int, ranks: [Int]) {
        precondition(size >= 1 && ranks.allSatisfy { $0 >= 0 && $0 < size })
        self.size = size
        var all: [(Int32, Int32)] = []
        if size > 1 {
            // Algorithm M: t = ⌈lg n⌉.
            var t = 0
            while (1 << t) < size { t += 1 }
            var p = 1 << (t - 1)
            while p > 0 {
                var q = 1 << (t - 1), r = 0, d = p
                while true {
                    for i in 0 ..< (size - d) where i & p == r {
                        all.append((Int32(i), Int32(i + d)))
                    }
                    if q == p { break }
                    d = q - p; q >>= 1; r = p
                }
                p >>= 1
            }
        }
        // Backward pruning: keep a comparator iff one of its outputs is still needed.
        var needed = [Bool](repeating: false, count: size)
        for r in ranks { needed[r] = true }
        var kept: [(Int32, Int32)] = []
        for (a, b) in all.reversed() where needed[Int(a)] || needed[Int(b)] {
            kept.append((a, b))
            needed[Int(a)] = true
            needed[Int(b)] = true
        }
        comparators = kept.reversed()
    }

    /// Applies the network to a tile of `size` rows × `lanes` floats (row r at r × lanes).
    /// - Complexity: O(comparators × lanes), no branches on the data.
    func apply(to tile: UnsafeMutablePointer<Float>) {
        let w = Self.lanes
        let raw = UnsafeMutableRawPointer(tile)
        comparators.withUnsafeBufferPointer { comparators in
            for (a, b) in comparators {
                let pa = raw + Int(a) * w * 4, pb = raw + Int(b) * w * 4
                let x = pa.loadUnaligned(as: SIMD16<Float>.self)
                let y = pb.loadUnaligned(as: SIMD16<Float>.self)
                let swap = y .< x
                pa.storeBytes(of: x.replacing(with: y, where: swap), as: SIMD16<Float>.self)
                pb.storeBytes(of: y.replacing(with: x, where: swap), as: SIMD16<Float>.self)
            }
        }
    }
}
