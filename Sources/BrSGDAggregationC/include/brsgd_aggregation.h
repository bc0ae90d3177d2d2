/*
 * brsgd_aggregation.h — the C interface of brsgd's robust aggregation rules
 * (the Swift module RobustAggregation), for Python (ctypes), C, C++ or any FFI.
 *
 * Build: swift build -c release --product BrSGDAggregationC
 *        → .build/release/libBrSGDAggregationC.so (.dylib on macOS)
 *
 * Conventions
 *   - A matrix is m rows (one gradient per worker) by d columns, float32, row-major
 *     (C-contiguous): entry (i, c) is gradients[i * d + c]. It is read, never written.
 *   - A rule is the JSON form of RobustAggregation.RuleConfiguration: the command line's
 *     long options in snake_case, absent meaning the default, e.g.
 *         {"name": "krum", "assumed_byzantine": 4}
 *         {"name": "brsgd", "beta": 0.5, "threshold": "auto"}
 *         {"name": "median", "nnm": true, "assumed_byzantine": 2}
 *     brsgd_rules_json() lists the rules and the parameter names. A key that is not a
 *     parameter, and a parameter the rule does not take, are errors: never ignored.
 *   - Every function returns BRSGD_OK (0) on success. On failure it returns BRSGD_ERROR
 *     and, where the caller passed non-NULL `error_code` / `error_message`, stores there a
 *     snake_case code and a sentence naming what was wrong (the messages of
 *     `brsgd aggregate`). The codes, a list that may grow:
 *         invalid_parameter      a parameter is out of range, or f is missing (f and q must
 *                                also be at most 2^31 - 1)
 *         inapplicable_parameter a parameter the rule does not take
 *         too_few_rows           the rule needs more finite rows (Krum: m' - f' - 2 >= 1, ...)
 *         no_accepted_rows       no rows, or every row holds NaN or +-Inf
 *         unknown_rule           "name" is not one of the rules
 *         unknown_parameter      a key that is no parameter of any rule
 *         invalid_configuration  the rule is not a JSON object of the right types
 *         invalid_argument       a NULL pointer where data is needed, m or d < 0, m*d too large
 *
 * Memory: the caller owns every buffer it passes in. Every string this library returns
 * (through a `char **` out-parameter or as a return value) is allocated with malloc,
 * NUL-terminated UTF-8, owned by the caller, and released with brsgd_free (which accepts
 * NULL). On failure no diagnostics are returned and *diagnostics_json is set to NULL; on
 * success *error_code and *error_message are set to NULL.
 *
 * Threads: every function is safe to call from any number of threads at once; no state is
 * kept between calls. A call may itself use every core (large matrices are split over
 * threads); results never depend on the number of threads.
 */
#ifndef BRSGD_AGGREGATION_H
#define BRSGD_AGGREGATION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BRSGD_OK 0
#define BRSGD_ERROR 1

/* The version of this interface: 1. Changes only when a signature or a meaning changes. */
int32_t brsgd_abi_version(void);

/*
 * Aggregates the m rows of `gradients` with the rule `rule_json` into `output`.
 *
 *   gradients         m * d floats, row-major; read in place (may be NULL when m * d == 0).
 *   rows, columns     m >= 0, d >= 0.
 *   rule_json         the rule, NUL-terminated UTF-8 JSON (see above).
 *   output            d floats allocated by the caller; written only on success.
 *   diagnostics_json  NULL, or where to store the rule's diagnostics as JSON (snake_case
 *                     keys of RobustAggregation.AggregationDiagnostics: rule, rejected_rows,
 *                     accepted_rows, selected_rows, scores, iterations, brsgd {scores,
 *                     distances, threshold, constraint1, constraint2, returned_median});
 *                     rows are named by their index in `gradients`. A non-finite number
 *                     is written as the string "NaN", "Infinity" or "-Infinity".
 *   error_code,
 *   error_message     NULL, or where to store the failure (see above).
 *
 * Rows holding a NaN or +-Inf are rejected before the rule runs. The result is bit for bit
 * what `brsgd aggregate` writes for the same matrix and rule.
 *
 * No copy: the rule reads `gradients` in place, on every thread it uses, and never writes
 * it; the library keeps no pointer to it after the call returns. So the caller must keep
 * the m * d floats valid and unchanged until the call returns (another thread writing them
 * meanwhile gives an unspecified result), and may reuse or free them at once after. The
 * pre-aggregations (nnm, clipping, arc, bucketing) build their transformed matrix of their
 * own, as they do in `brsgd aggregate`; no rule copies the input itself. `output` is
 * written only after the rule has finished reading, so it may overlap `gradients`.
 */
int32_t brsgd_aggregate(const float *gradients, int64_t rows, int64_t columns,
                        const char *rule_json,
                        float *output,
                        char **diagnostics_json,
                        char **error_code, char **error_message);

/*
 * Checks a rule without data: its JSON, its parameters' ranges and, when rows >= 0,
 * whether it can run on that many finite rows (Krum with m - f - 2 < 1 fails here).
 * Pass rows = -1 to skip the last check.
 */
int32_t brsgd_check_rule(const char *rule_json, int64_t rows,
                         char **error_code, char **error_message);

/*
 * The rules and their parameters as JSON (free with brsgd_free):
 *   {"abi_version": 1,
 *    "parameters": ["assumed_byzantine", "beta", ...],          every key a rule may hold
 *    "rules": [{"name": "krum", "parameters": ["assumed_byzantine"], "summary": "..."}, ...]}
 * A rule's "parameters" omit the pre-aggregations (nnm) that apply to every rule.
 * Returns NULL only when memory runs out.
 */
char *brsgd_rules_json(void);

/* Does nothing: no matrix storage is kept between calls (builds before the zero-copy
 * brsgd_aggregate kept a copy's storage, which this freed). Kept so that callers link. */
void brsgd_release_memory(void);

/* Releases a string returned by this library. NULL is ignored. */
void brsgd_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif /* BRSGD_AGGREGATION_H */
