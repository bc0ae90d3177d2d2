// The engine's exp, log and tanh for Float, written out in plain arithmetic (no fused
// multiply-add, no libm) so that the loss and the activations have the same bits on every
// machine: a C library's expf or logf differs between versions, and some pick another code path
// on CPUs with FMA. Each is a range reduction and a polynomial (Cody & Waite 1980; the
// polynomials are Taylor series, exact enough on the reduced ranges), within 2 ulp of the true
// value on normal results (the tests measure it against Double).

/// ln 2 as hi + lo, hi with 15 significant bits, so `n · hi` is exact for |n| < 2⁸.
private let ln2Hi: Float = 0.693145751953125
private let ln2Lo: Float = 1.428606820309417e-06

/// e^x. Exact at 0 (1), +∞ above ln(Float.greatestFiniteMagnitude), 0 below −104, NaN for NaN.
///
/// x = n · ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2; e^r by its Taylor polynomial
/// of degree 7 (Horner), then scaled by 2ⁿ exactly (in two steps for subnormal results).
/// - Complexity: O(1).
func engineExp(_ x: Float) -> Float {
    if x.isNaN { return x }
    if x > 88.72283 { return .infinity }
    if x < -104 { return 0 }
    let n = (x * 1.442695).rounded(.toNearestOrEven)
    let r = (x - n * ln2Hi) - n * ln2Lo
    var p: Float = 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let e = Int(n)
    if e > 127 { return p * Float(sign: .plus, exponent: 127, significand: 1) * 2 }
    if e < -125 { return p * Float(sign: .plus, exponent: e + 64, significand: 1) * 0x1p-64 }
    return p * Float(sign: .plus, exponent: e, significand: 1)
}

/// ln x. −∞ at 0, NaN below 0 and for NaN, +∞ at +∞.
///
/// x = 2ᵉ · m with m in [√½, √2); with f = m − 1 and s = f / (2 + f), ln m = 2 atanh s
/// = 2s + s · z · (2/3 + z (2/5 + z (2/7 + z · 2/9))), z = s²; then e · ln 2 + ln m.
/// - Complexity: O(1).
func engineLog(_ x: Float) -> Float {
    if x.isNaN || x < 0 { return .nan }
    if x == 0 { return -.infinity }
    if x == .infinity { return x }
    var e = Int(x.exponent)
    var m = x.significand   // in [1, 2), subnormals included
    if m > 1.4142135 {
        m *= 0.5
        e += 1
    }
    let f = m - 1
    let s = f / (2 + f)
    let z = s * s
    var q: Float = 2.0 / 9
    q = q * z + 2.0 / 7
    q = q * z + 2.0 / 5
    q = q * z + 2.0 / 3
    let logM = 2 * s + s * z * q
    let scale = Float(e)
    return scale * ln2Hi + (scale * ln2Lo + logM)
}

/// tanh x. ±0 at ±0, ±1 beyond ±9.1, NaN for NaN.
///
/// x itself below |x| = 2⁻¹²; below 0.625 its Taylor series to x¹⁷ (Horner in x²); above, (1 − t) / (1 + t) with
/// t = e^(−2|x|), which is then at most 0.29 so nothing cancels; the sign of x restored.
/// - Complexity: O(1).
func engineTanh(_ x: Float) -> Float {
    if x.isNaN { return x }
    let a = x.magnitude
    if a < 0x1p-12 { return x }   // x³/3 is below half an ulp of x; ±0 keeps its sign
    if a < 0.625 {
        let z = x * x
        var p: Float = 0.0005900274   // 6404582 / 10854718875
        p = p * z - 0.0014558344     // −929569 / 638512875
        p = p * z + 0.0035921280     // 21844 / 6081075
        p = p * z - 0.0088632355     // −1382 / 155925
        p = p * z + 0.021869488      // 62 / 2835
        p = p * z - 0.053968254      // −17 / 315
        p = p * z + 0.13333334       // 2 / 15
        p = p * z - 0.33333334       // −1 / 3
        return x + x * z * p
    }
    if a > 9.1 { return x < 0 ? -1 : 1 }
    let t = engineExp(-2 * a)
    let y = (1 - t) / (1 + t)
    return x < 0 ? -y : y
}
