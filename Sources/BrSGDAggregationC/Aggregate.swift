// The C interface of RobustAggregation: the functions declared in include/brsgd_aggregation.h.
//
// Each function is a thin shell: it checks the C arguments, decodes the rule through
// `RuleRequest`, calls the library, and writes the result and the malloc'd strings the
// header promises. It keeps no state between calls, so every function may run on many
// threads at once.

import RobustAggregation

/// The version of the interface in include/brsgd_aggregation.h.
let abiVersion: Int32 = 1

@_cdecl("brsgd_abi_version")
public func brsgd_abi_version() -> Int32 { abiVersion }

/// `brsgd_aggregate`: the rule's aggregate of the m × d row-major matrix at `gradients`
/// into the caller's d floats at `output`; diagnostics and errors as malloc'd strings.
///
/// The rule reads the caller's matrix in place: it is lent to the rule as a borrowed
/// `GradientMatrix` (`GradientMatrix.withBorrowed`) for this call only, never copied and
/// never written. `output` is written after the rule has finished with the matrix, so it may
/// even lie inside it.
///
/// - Complexity: O(1) to lend the matrix, the rule's own cost (pre-aggregations such as
///   `nnm`, `clipping` or `bucketing` build their transformed matrix, as everywhere), and
///   O(d) to write the output.
@_cdecl("brsgd_aggregate")
public func brsgd_aggregate(
    _ gradients: UnsafePointer<Float>?, _ rows: Int64, _ columns: Int64,
    _ ruleJSON: UnsafePointer<CChar>?,
    _ output: UnsafeMutablePointer<Float>?,
    _ diagnosticsJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorCode: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    diagnosticsJSON?.pointee = nil
    let outcome = Result { () throws(InterfaceError) -> Void in
        let (m, d, count) = try matrixShape(rows: rows, columns: columns)
        if count > 0 && gradients == nil { throw .invalidArgument("gradients is NULL for a \(m) × \(d) matrix") }
        if d > 0 && output == nil { throw .invalidArgument("output is NULL; it must hold d = \(d) floats") }
        let rule = try RuleRequest(json: ruleJSON).makeRule()
        let result: AggregationResult
        do throws(AggregationError) {
            result = try GradientMatrix.withBorrowed(
                rowCount: m, columnCount: d, storage: UnsafeBufferPointer(start: gradients, count: count)
            ) { matrix throws(AggregationError) in try rule.aggregate(matrix) }
        } catch {
            throw InterfaceError(error)
        }
        // Encode before writing anything, so that a failure leaves `output` untouched.
        let diagnostics = diagnosticsJSON == nil ? nil : try DiagnosticsEncoding.json(result.diagnostics)
        if d > 0, let output {
            result.gradient.withUnsafeBufferPointer { output.initialize(from: $0.baseAddress!, count: d) }
        }
        if let diagnosticsJSON, let diagnostics { diagnosticsJSON.pointee = CString.allocate(diagnostics) }
    }
    return report(outcome, errorCode, errorMessage)
}

/// `brsgd_check_rule`: decodes and builds the rule, and with `rows ≥ 0` tries it on that
/// many zero rows of one column.
@_cdecl("brsgd_check_rule")
public func brsgd_check_rule(
    _ ruleJSON: UnsafePointer<CChar>?, _ rows: Int64,
    _ errorCode: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    let outcome = Result { () throws(InterfaceError) -> Void in
        let request = try RuleRequest(json: ruleJSON)
        guard rows >= 0 else {
            _ = try request.makeRule()
            return
        }
        guard rows <= Int64(Int32.max) else { throw .invalidArgument("rows must be at most \(Int32.max), got \(rows)") }
        do throws(AggregationError) {
            _ = try request.configuration.makeRule(checkedFor: Int(rows))
        } catch {
            throw InterfaceError(error)
        }
    }
    return report(outcome, errorCode, errorMessage)
}

/// `brsgd_rules_json`: every rule with its parameters and summary, and every parameter name.
@_cdecl("brsgd_rules_json")
public func brsgd_rules_json() -> UnsafeMutablePointer<CChar>? {
    CString.allocate(RuleCatalog.json())
}

/// `brsgd_release_memory`: frees nothing. The matrix is read in place, so no storage is kept
/// between calls (earlier builds kept the storage of a copy); the function stays so that
/// callers of interface version 1 still link.
@_cdecl("brsgd_release_memory")
public func brsgd_release_memory() {}

/// `brsgd_free`: releases a string this library returned.
@_cdecl("brsgd_free")
public func brsgd_free(_ pointer: UnsafeMutableRawPointer?) {
    CString.free(pointer)
}

/// m, d and m·d as `Int`, or the `invalid_argument` naming what is wrong.
private func matrixShape(rows: Int64, columns: Int64) throws(InterfaceError) -> (Int, Int, Int) {
    guard rows >= 0, columns >= 0 else {
        throw .invalidArgument("the matrix must have m ≥ 0 rows and d ≥ 0 columns, got \(rows) × \(columns)")
    }
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard !overflow, count <= Int64(Int.max) / 4 else {
        throw .invalidArgument("a \(rows) × \(columns) matrix is too large to address")
    }
    return (Int(rows), Int(columns), Int(count))
}

/// Writes a failure's code and message where the caller asked, and returns the status.
private func report(
    _ outcome: Result<Void, InterfaceError>,
    _ errorCode: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    switch outcome {
    case .success:
        errorCode?.pointee = nil
        errorMessage?.pointee = nil
        return 0
    case .failure(let error):
        errorCode?.pointee = CString.allocate(error.code)
        errorMessage?.pointee = CString.allocate(error.message)
        return 1
    }
}
