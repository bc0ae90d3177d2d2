/// Where two float vectors differ bit for bit, in one short line; nil when they do not.
///
/// Tests compare vectors of up to millions of floats: `#expect(a == b)` would print both
/// whole vectors when it fails (a line of a megabyte in the CI log). `#expect(bitwiseDifference(a, b) == nil)`
/// prints this instead: the sizes, how many entries differ, and the first of them.
///
/// ```
/// 61706 vs 61706 floats: 12 differ, the first at 17: 0.1 (0x3dcccccd) vs 0.10000001 (0x3dccccce)
/// ```
///
/// NaNs are compared by their bits too (a test of bytes wants the same NaN).
/// - Complexity: O(n).
public func bitwiseDifference(_ a: [Float], _ b: [Float]) -> String? {
    var count = 0
    var first: Int?
    for index in 0 ..< min(a.count, b.count) where a[index].bitPattern != b[index].bitPattern {
        count += 1
        if first == nil { first = index }
    }
    guard count > 0 || a.count != b.count else { return nil }
    var text = "\(a.count) vs \(b.count) floats: \(count) differ"
    if let first {
        text += ", the first at \(first): \(a[first]) (\(hex(a[first]))) vs \(b[first]) (\(hex(b[first])))"
    }
    return text
}

/// ``bitwiseDifference(_:_:)`` for vectors that may be missing: a missing one differs.
public func bitwiseDifference(_ a: [Float]?, _ b: [Float]?) -> String? {
    switch (a, b) {
    case (nil, nil): return nil
    case (let a?, let b?): return bitwiseDifference(a, b)
    case (nil, let b?): return "missing vs \(b.count) floats"
    case (let a?, nil): return "\(a.count) floats vs missing"
    }
}

private func hex(_ value: Float) -> String {
    "0x" + String(value.bitPattern, radix: 16)
}
