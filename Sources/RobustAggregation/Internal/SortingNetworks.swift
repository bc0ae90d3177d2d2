/// Sorting networks written out as straight-line code, one function per row count
/// m ≤ ``largestRowCount`` (in SortingNetworks.generated.swift, made by
/// Scripts/generate-sorting-networks.py), each taking 4 columns at once and returning the
/// trimmed sum: the values of ranks lo...hi added in ascending order, from +0.
///
/// The network is Batcher's merge-exchange sort (Knuth, TAOCP vol. 3, §5.2.2, Algorithm M),
/// the one ``SelectionNetwork`` builds at run time, unpruned: the trimmed range is a run-time
/// value, and pruning to it would keep almost every comparator (95 of 97 for m = 20 with 4
/// trimmed from each side). The sums are the same to the bit as the run-time network's: any
/// sorting network leaves at rank r a value equal to the r-th order statistic, equal finite
/// floats differ at most in the sign of a zero, and a sum that starts from +0 never becomes
/// −0, so either zero leaves it unchanged.
///
/// - Complexity: O(m log² m) comparators per 4 columns, no branch on the data.
enum SortingNetworks {
    /// (rows, column, lo, hi) → Σ_{r = lo...hi} rank r of each of columns column ..< column + 4.
    typealias TrimmedSum = @Sendable (UnsafePointer<UnsafePointer<Float>>, Int, Int, Int) -> SIMD4<Float>

    @inline(__always)
    static func load(_ row: UnsafePointer<Float>, _ column: Int) -> SIMD4<Float> {
        MedianNetworks.load(row, column)
    }

    @inline(__always)
    static func exchange(_ a: inout SIMD4<Float>, _ b: inout SIMD4<Float>) {
        MedianNetworks.exchange(&a, &b)
    }
}
