/// Summary of the per-round aggregation times of a run, in milliseconds.
///
/// ```swift
/// var times: [Double] = []          // one entry per round, in ms
/// let summary = TimingSummary(milliseconds: times, keepingAll: false)
/// ```
public struct TimingSummary: Codable, Sendable, Equatable, Hashable {
    /// Number of rounds timed.
    public var count: Int
    /// Mean time in ms (0 when `count == 0`).
    public var mean: Double
    /// Median time in ms (mean of the two middle values for an even count).
    public var median: Double
    /// 95th percentile in ms: the value at rank ⌈0.95·count⌉ (nearest-rank method).
    public var p95: Double
    /// Longest time in ms.
    public var max: Double
    /// Every round's time in ms, in round order, when kept; `nil` otherwise.
    public var all: [Double]?

    /// Creates a summary from stored values.
    public init(count: Int, mean: Double, median: Double, p95: Double, max: Double, all: [Double]? = nil) {
        self.count = count
        self.mean = mean
        self.median = median
        self.p95 = p95
        self.max = max
        self.all = all
    }

    /// Summarises per-round times.
    ///
    /// - Parameters:
    ///   - milliseconds: One time per round, in ms.
    ///   - keepingAll: Whether to store the full list in ``all``.
    /// - Complexity: O(n log n) for n rounds.
    public init(milliseconds: [Double], keepingAll: Bool = false) {
        let sorted = milliseconds.sorted()
        let n = sorted.count
        count = n
        all = keepingAll ? milliseconds : nil
        guard n > 0 else {
            mean = 0; median = 0; p95 = 0; max = 0
            return
        }
        mean = sorted.reduce(0, +) / Double(n)
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let rank = Int((0.95 * Double(n)).rounded(.up))
        p95 = sorted[Swift.max(rank, 1) - 1]
        max = sorted[n - 1]
    }

    enum CodingKeys: String, CodingKey {
        case count
        case mean = "mean_ms"
        case median = "median_ms"
        case p95 = "p95_ms"
        case max = "max_ms"
        case all = "all_ms"
    }
}
