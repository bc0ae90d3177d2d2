/// Bulk conversions between raw file bytes and `[Float]`. Each fast kernel has a naive
/// reference twin (`…Reference`) that the tests compare against.
enum FloatKernels {
    static let hostIsBigEndian = 1.bigEndian == 1

    /// Decodes `count` IEEE-754 binary32 values from `bytes` (which may be unaligned).
    /// - Precondition: `bytes.count >= count * 4`.
    /// - Complexity: O(count); one `memcpy` when no byte swap is needed.
    static func decodeFloat32(_ bytes: UnsafeRawBufferPointer, count: Int, isBigEndian: Bool) -> [Float] {
        precondition(bytes.count >= count * 4)
        let swap = isBigEndian != hostIsBigEndian
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0, let base = bytes.baseAddress, let dst = out.baseAddress {
                if swap {
                    for i in 0..<count {
                        let bits = base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                        dst[i] = Float(bitPattern: bits.byteSwapped)
                    }
                } else {
                    UnsafeMutableRawPointer(dst).copyMemory(from: base, byteCount: 4 * count)
                }
            }
            initialized = count
        }
    }

    /// Decodes `count` IEEE-754 binary64 values and rounds each to the nearest `Float`;
    /// magnitudes beyond `Float.greatestFiniteMagnitude` become ±infinity, NaN stays NaN.
    /// - Precondition: `bytes.count >= count * 8`.
    /// - Complexity: O(count).
    static func decodeFloat64(_ bytes: UnsafeRawBufferPointer, count: Int, isBigEndian: Bool) -> [Float] {
        precondition(bytes.count >= count * 8)
        let swap = isBigEndian != hostIsBigEndian
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0, let base = bytes.baseAddress, let dst = out.baseAddress {
                for i in 0..<count {
                    let bits = base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
                    dst[i] = Float(Double(bitPattern: swap ? bits.byteSwapped : bits))
                }
            }
            initialized = count
        }
    }

    /// Writes `values` as little-endian binary32 into `out`.
    /// - Precondition: `out.count >= values.count * 4`.
    static func encodeFloat32LittleEndian(_ values: UnsafeBufferPointer<Float>, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= values.count * 4)
        guard let src = values.baseAddress, let dst = out.baseAddress, !values.isEmpty else { return }
        if hostIsBigEndian {
            for i in values.indices {
                dst.storeBytes(of: src[i].bitPattern.byteSwapped, toByteOffset: 4 * i, as: UInt32.self)
            }
        } else {
            dst.copyMemory(from: src, byteCount: 4 * values.count)
        }
    }

    // MARK: Naive references, one element at a time through the byte array.

    static func decodeReference(_ bytes: [UInt8], scalarByteCount: Int, isBigEndian: Bool) -> [Float] {
        stride(from: 0, to: bytes.count - scalarByteCount + 1, by: scalarByteCount).map { start in
            var bits: UInt64 = 0
            for k in 0..<scalarByteCount {
                let byte = UInt64(bytes[start + (isBigEndian ? scalarByteCount - 1 - k : k)])
                bits |= byte << (8 * UInt64(k))
            }
            return scalarByteCount == 4 ? Float(bitPattern: UInt32(bits)) : Float(Double(bitPattern: bits))
        }
    }

    static func encodeFloat32LittleEndianReference(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { k in UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32(k))) } }
    }
}
