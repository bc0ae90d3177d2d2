#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Whether a GEMM operand is used as stored or transposed.
enum Transpose {
    case none, transposed

    var cblas: CBLAS_TRANSPOSE {
        self == .none ? CblasNoTrans : CblasTrans
    }
}

/// C ← α · op(A) · op(B) + β · C on row-major matrices, where op(A) is m × k and
/// op(B) is k × n (`cblas_sgemm`).
///
/// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
/// - Complexity: O(m · n · k).
@inline(__always)
func gemm(
    _ transA: Transpose, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float,
    _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor, transA.cblas, transB.cblas,
        Int32(m), Int32(n), Int32(k),
        alpha, a, Int32(lda), b, Int32(ldb),
        beta, c, Int32(ldc))
}

/// The naive reference for `gemm`, used by tests: a triple loop accumulated in Double.
/// - Complexity: O(m · n · k).
func referenceGEMM(
    _ transA: Transpose, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    _ a: [Float], lda: Int,
    _ b: [Float], ldb: Int,
    beta: Float,
    _ c: inout [Float], ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
                let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                sum += Double(aip) * Double(bpj)
            }
            c[i * ldc + j] = Float(Double(alpha) * sum + Double(beta) * Double(c[i * ldc + j]))
        }
    }
}
