/// Shape helpers shared by the .npy and JSON codecs.
enum Shape {
    /// Python's repr of a shape tuple: `()`, `(3,)`, `(2, 5)`.
    static func pythonRepr(_ shape: [Int]) -> String {
        switch shape.count {
        case 0: "()"
        case 1: "(\(shape[0]),)"
        default: "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
    }

    /// A human description: `20 × 1000`, `1000`, or `a scalar`.
    static func dimensions(_ shape: [Int]) -> String {
        shape.isEmpty ? "a scalar" : shape.map(String.init).joined(separator: " × ")
    }

    /// The product of the extents, or `nil` on overflow.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// The error for an array whose rank is not the one the caller asked for.
    static func rankError(expected: Int, shape: [Int]) -> TensorFileError {
        let wanted = expected == 2 ? "a 2-D array (rows × columns)" : "a \(expected)-D array"
        let got = shape.isEmpty ? "a 0-D scalar" : "a \(shape.count)-D array of shape \(pythonRepr(shape))"
        return TensorFileError(code: .badShape, message: "expected \(wanted), got \(got)")
    }

    /// The error for a matrix or vector with no values, or `nil` if it has some.
    static func emptinessError(expectedRank: Int, shape: [Int]) -> TensorFileError? {
        guard shape.contains(0) else { return nil }
        let what = expectedRank == 1 ? "vector" : expectedRank == 2 ? "matrix" : "array"
        return TensorFileError(code: .empty,
                               message: "empty \(what): shape \(pythonRepr(shape)) holds no values")
    }
}
