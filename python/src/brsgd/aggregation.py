"""In-process robust aggregation through the Swift library's C interface.

``aggregate(G, rule, **parameters)`` gives, bit for bit, what
``brsgd aggregate --rule RULE --PARAMETER … --input G.npy --output g.npy`` writes. The rule
and its parameters travel as the JSON form of the library's ``RuleConfiguration``: keyword
names are the command line's long options in snake_case (``assumed_byzantine=4`` for
``--assumed-byzantine 4``). Names are not checked here: the library refuses a key that is no
parameter and a parameter the rule does not take, so a parameter added to the Swift library
works from Python without a change to this file.
"""

from __future__ import annotations

import ctypes
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _native

__all__ = [
    "AggregationError",
    "RuleError",
    "aggregate",
    "check_rule",
    "release_memory",
    "rule_configuration",
    "rules",
]


def _c_aggregate(*arguments: Any) -> int:
    """The library's ``brsgd_aggregate`` (the library loads on the first call; tests wrap
    this function to see the pointer it receives)."""
    return _native.library.brsgd_aggregate(*arguments)


# Codes that say the rule itself is wrong (as opposed to the matrix it was given).
_RULE_CODES = frozenset({
    "invalid_parameter", "inapplicable_parameter", "unknown_rule", "unknown_parameter",
    "invalid_configuration",
})


class AggregationError(ValueError):
    """The library refused: ``code`` is its snake_case reason, ``message`` its sentence.

    Codes: ``too_few_rows`` (e.g. Krum with m' − f' − 2 < 1), ``no_accepted_rows`` (no rows,
    or every row holds NaN/±Inf), ``invalid_argument``, and those of :class:`RuleError`.
    The list may grow; switch on ``code``, never on the message.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class RuleError(AggregationError):
    """The rule or a parameter is wrong, whatever the matrix: ``invalid_parameter`` (out of
    range, or f missing), ``inapplicable_parameter`` (the rule does not take it),
    ``unknown_rule``, ``unknown_parameter``, ``invalid_configuration`` (a value of the wrong
    type)."""


def _error(code: str, message: str) -> AggregationError:
    return (RuleError if code in _RULE_CODES else AggregationError)(code, message)


def rule_configuration(rule: str | Mapping[str, Any] = "brsgd", **parameters: Any) -> dict[str, Any]:
    """The rule as the library's JSON object: ``{"name": rule, **parameters}``.

    ``rule`` may already be such a mapping (then ``parameters`` are added to it). Parameters
    set to ``None`` are left out (the rule's default); NumPy scalars become Python numbers.
    """
    if isinstance(rule, Mapping):
        configuration = dict(rule)
    elif isinstance(rule, str):
        configuration = {"name": rule}
    else:
        raise TypeError(f"rule must be a rule name such as 'krum' or a mapping, not {type(rule).__name__}")
    for key, value in parameters.items():
        if value is None:
            continue
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            # JSON has no token for it; the library's ranges all exclude it.
            raise RuleError("invalid_parameter", f"{key} must be a finite number, got {value}")
        configuration[key] = value
    return configuration


def _rule_json(rule: str | Mapping[str, Any], parameters: dict[str, Any]) -> bytes:
    return json.dumps(rule_configuration(rule, **parameters), separators=(",", ":")).encode("utf-8")


def _as_matrix(gradients: Any) -> np.ndarray:
    """The array itself when it is a C-contiguous, aligned, native float32 2-D array;
    otherwise one converted copy (float64, Fortran order, strided views, lists …)."""
    matrix = np.asarray(gradients)
    if matrix.ndim != 2:
        raise ValueError(f"gradients must be a 2-D array (m rows by d columns), got shape {matrix.shape}")
    if matrix.dtype != np.float32 or not matrix.flags.c_contiguous or not matrix.flags.aligned:
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    return matrix


def _non_finite(value: Any) -> Any:
    """Undoes the library's spelling of non-finite numbers ("NaN", "Infinity") in lists."""
    if isinstance(value, dict):
        return {key: _non_finite(item) for key, item in value.items()}
    if isinstance(value, list):
        spelled = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        return [spelled.get(item, item) if isinstance(item, str) else _non_finite(item) for item in value]
    return value


def aggregate(
    gradients: Any,
    rule: str | Mapping[str, Any] = "brsgd",
    *,
    diagnostics: bool = False,
    **parameters: Any,
) -> np.ndarray | tuple[np.ndarray, dict[str, Any]]:
    """Aggregates the m rows of ``gradients`` (m × d) into one float32 vector of length d.

    >>> G = np.random.default_rng(0).standard_normal((20, 1000), dtype=np.float32)
    >>> g = aggregate(G, "krum", assumed_byzantine=4)
    >>> g, info = aggregate(G, "brsgd", beta=0.5, threshold="auto", diagnostics=True)
    >>> info["selected_rows"]

    Rules (``rules()`` lists them with their parameters): ``mean``, ``median``,
    ``trimmed-mean``, ``krum``, ``multi-krum``, ``brsgd``, ``geometric-median``, ``bulyan``,
    ``centered-clipping``. Parameters, named like the command line's long options:
    ``assumed_byzantine`` (f), ``beta``, ``threshold`` (a number or ``"auto"``),
    ``multi_krum_count``, ``smoothing``, ``iterations``, ``clipping_radius``, ``nnm``.

    Rows holding NaN or ±Inf are rejected before the rule runs (``diagnostics`` says which).

    No copy: a C-contiguous, aligned float32 array is handed to the library as it is (its
    own data pointer), and the rule reads it there, in place, never writing it (a read-only
    array or memory map will do); any other input is converted once with
    ``np.ascontiguousarray(…, float32)``. The library keeps nothing of it after the call, so
    the array may be changed as soon as the call returns, but not while it runs: the GIL is
    released during the call, and another thread writing the array then would give an
    unspecified result.

    Returns the aggregate, or ``(aggregate, diagnostics)`` when ``diagnostics`` is true:
    a dict with ``rule``, ``rejected_rows``, ``accepted_rows``, ``selected_rows``,
    ``scores`` (Krum family), ``iterations`` (iterative rules) and ``brsgd`` (``scores``,
    ``distances``, ``threshold``, ``constraint1``, ``constraint2``, ``returned_median``),
    rows named by their index in ``gradients``.

    Raises :class:`RuleError` for a wrong rule or parameter and :class:`AggregationError`
    for a matrix the rule cannot aggregate (both are ``ValueError``), with the library's
    code and message.
    """
    matrix = _as_matrix(gradients)
    rows, columns = matrix.shape
    rule_json = _rule_json(rule, parameters)
    output = np.empty(columns, dtype=np.float32)
    diagnostics_json = ctypes.c_void_p()
    code = ctypes.c_void_p()
    message = ctypes.c_void_p()
    status = _c_aggregate(
        matrix.ctypes.data if matrix.size else None, rows, columns, rule_json,
        output.ctypes.data if columns else None,
        ctypes.byref(diagnostics_json) if diagnostics else None,
        ctypes.byref(code), ctypes.byref(message),
    )
    library = _native.library
    if status != 0:
        raise _error(_native.take_string(library, code.value) or "unknown",
                     _native.take_string(library, message.value) or "the library gave no message")
    if not diagnostics:
        return output
    return output, _non_finite(json.loads(_native.take_string(library, diagnostics_json.value)))


def check_rule(rule: str | Mapping[str, Any] = "brsgd", *, workers: int | None = None,
               **parameters: Any) -> dict[str, Any]:
    """Checks a rule without data and returns its configuration (the JSON object).

    With ``workers``, also checks that the rule can run on that many rows (Krum needs
    m − f − 2 ≥ 1, trimmed mean m > 2f, …). Raises :class:`RuleError` or
    :class:`AggregationError` like :func:`aggregate`.
    """
    configuration = rule_configuration(rule, **parameters)
    code = ctypes.c_void_p()
    message = ctypes.c_void_p()
    library = _native.library
    status = library.brsgd_check_rule(
        json.dumps(configuration).encode("utf-8"), -1 if workers is None else int(workers),
        ctypes.byref(code), ctypes.byref(message))
    if status != 0:
        raise _error(_native.take_string(library, code.value) or "unknown",
                     _native.take_string(library, message.value) or "the library gave no message")
    return configuration


_catalog: dict[str, Any] | None = None


def rules() -> list[dict[str, Any]]:
    """The library's rules: ``[{"name", "parameters", "summary"}, …]``, in the command
    line's order. A rule's ``parameters`` leave out ``nnm``, which every rule accepts."""
    global _catalog
    if _catalog is None:
        library = _native.library
        _catalog = json.loads(_native.take_string(library, library.brsgd_rules_json()))
    return [dict(rule) for rule in _catalog["rules"]]


def release_memory() -> None:
    """Does nothing: the library reads the matrix in place and keeps no storage between
    calls (earlier versions kept the storage of a copy, which this freed). Kept so that
    code calling it still runs."""
    _native.library.brsgd_release_memory()
