/// Small contiguous kernels the attacks share. Tests compare each attack's output with a
/// naive reference written over `[Double]` rows.
enum Kernels {
    /// output[i] = scale × input[i]. `input` may be `output` itself (entry i is read before
    /// it is written).
    /// - Complexity: O(d).
    @inline(__always)
    static func scale(_ input: UnsafeBufferPointer<Float>, by scale: Float, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count == output.count, "input and output lengths differ")
        guard let src = input.baseAddress, let dst = output.baseAddress else { return }
        for i in 0..<output.count { dst[i] = scale * src[i] }
    }

    /// output[i] *= scale.
    /// - Complexity: O(d).
    @inline(__always)
    static func scale(_ output: UnsafeMutableBufferPointer<Float>, by scale: Float) {
        guard let dst = output.baseAddress else { return }
        for i in 0..<output.count { dst[i] *= scale }
    }
}
