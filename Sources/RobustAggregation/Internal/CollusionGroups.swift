/// The accepted rows grouped by near-identity, as ``CollusionCollapse`` defines it.
///
/// - Complexity: O(m'² d) for the pairwise distances (the Gram matrix), O(m'²) for the groups.
struct CollusionGroups {
    /// Positions of the accepted rows in each group, increasing within a group; the groups in
    /// the order of their first member.
    let members: [[Int]]

    /// Groups the rows of `pointers` (all finite).
    init(_ pointers: UnsafeBufferPointer<UnsafePointer<Float>>, columnCount d: Int) {
        let m = pointers.count
        guard m >= 3 else {
            members = (0 ..< m).map { [$0] }
            return
        }
        let distances = PairwiseDistances(pointers, columnCount: d)
        let nearest = (0 ..< m).map { i in (0 ..< m).lazy.filter { $0 != i }.map { distances[i, $0] }.min()! }
        // Squared distances throughout: δ² = ¼ · median of the squared nearest distances.
        let limit = 0.25 * medianOfDoubles(nearest)
        guard limit > 0 else {
            members = (0 ..< m).map { [$0] }
            return
        }
        var root = Array(0 ..< m)
        func find(_ i: Int) -> Int {
            var i = i
            while root[i] != i { i = root[i] }
            return i
        }
        for i in 0 ..< m {
            for j in (i + 1) ..< m where distances[i, j] <= limit {
                let a = find(i), b = find(j)
                if a != b { root[max(a, b)] = min(a, b) }
            }
        }
        var groups: [Int: [Int]] = [:]
        var order: [Int] = []
        for i in 0 ..< m {
            let r = find(i)
            if groups[r] == nil { order.append(r) }
            groups[r, default: []].append(i)
        }
        members = order.map { groups[$0]! }
    }

    /// True when some group has more than one row.
    var mergesRows: Bool { members.count < members.reduce(0) { $0 + $1.count } }
}
