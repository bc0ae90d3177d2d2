"""brsgd: Byzantine-resilient aggregation in process, a worker for brsgd's master, and
Flower strategies.

- :func:`aggregate` — robust aggregation of an m × d float32 matrix through the Swift
  library (bit-identical to ``brsgd aggregate``).
- :class:`Worker` — the worker loop of ``Protos/brsgd/v1/training.proto``: fn(parameters)
  → (gradient, loss), round after round, against a ``brsgd master``.
- ``brsgd.torch`` — flatten a PyTorch model's gradients, load parameters back; the rules
  on tensors (``brsgd.torch.aggregate``).
- ``brsgd.flower`` — Flower strategies backed by these rules.

The Swift library loads on the first call of a rule, not here: ``brsgd.Worker`` works on a
host without it.
"""

from .aggregation import (
    AggregationError,
    RuleError,
    aggregate,
    check_rule,
    release_memory,
    rule_configuration,
    rules,
)

__version__ = "0.1.0"

__all__ = [
    "AggregationError",
    "RuleError",
    "Worker",
    "WorkerError",
    "WorkerSummary",
    "aggregate",
    "check_rule",
    "release_memory",
    "rule_configuration",
    "rules",
]


def __getattr__(name: str):
    # The worker pulls in grpcio and protobuf; load them only when it is used.
    if name in ("Worker", "WorkerError", "WorkerSummary"):
        from . import worker

        return getattr(worker, name)
    raise AttributeError(f"module 'brsgd' has no attribute {name!r}")
