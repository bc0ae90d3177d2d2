/// The eigenvector of the largest eigenvalue of a small symmetric matrix, by the cyclic
/// Jacobi method (Golub & Van Loan, "Matrix Computations", §8.5): plane rotations that zero
/// each off-diagonal entry in turn, sweep after sweep, until the off-diagonal mass is below
/// 10⁻²⁴ of the total (or 64 sweeps). Deterministic: no random start, so the same matrix
/// gives the same bytes.
///
/// - Precondition: `matrix.count == n * n`, symmetric, finite.
/// - Complexity: O(n³) per sweep, a handful of sweeps; n is the number of honest workers.
func topEigenvector(of matrix: [Double], size n: Int) -> [Double] {
    precondition(matrix.count == n * n, "the matrix must be \(n) × \(n)")
    guard n > 0 else { return [] }
    var a = matrix
    var v = [Double](repeating: 0, count: n * n)
    for i in 0 ..< n { v[i * n + i] = 1 }
    let total = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0 ..< 64 {
        var offDiagonal = 0.0
        for p in 0 ..< n { for q in 0 ..< n where p != q { offDiagonal += a[p * n + q] * a[p * n + q] } }
        if offDiagonal <= 1e-24 * total || offDiagonal == 0 { break }
        for p in 0 ..< n - 1 {
            for q in (p + 1) ..< n {
                let apq = a[p * n + q]
                if apq == 0 { continue }
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0 ..< n {            // columns p and q: A ← A·J
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0 ..< n {            // rows p and q: A ← Jᵀ·A
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
                for k in 0 ..< n {            // V ← V·J: the columns of V are the eigenvectors
                    let vkp = v[k * n + p], vkq = v[k * n + q]
                    v[k * n + p] = c * vkp - s * vkq
                    v[k * n + q] = s * vkp + c * vkq
                }
            }
        }
    }
    var top = 0
    for i in 1 ..< n where a[i * n + i] > a[top * n + top] { top = i }
    return (0 ..< n).map { v[$0 * n + top] }
}
