"""Flower strategies backed by brsgd's robust rules (Flower's message API, flwr ≥ 1.21).

    >>> from brsgd.flower import BrSGD, Krum, RobustStrategy
    >>> strategy = Krum(assumed_byzantine=2, min_train_nodes=10, min_available_nodes=10)
    >>> strategy = RobustStrategy("trimmed-mean", assumed_byzantine=2, fraction_train=1.0)
    >>> result = strategy.start(grid=grid, initial_arrays=ArrayRecord(model.state_dict()),
    ...                         num_rounds=5)                      # inside a ServerApp's main

Each strategy is Flower's ``FedAvg`` (same sampling, configuration, evaluation and metric
averaging: every FedAvg keyword is accepted) whose ``aggregate_train`` is replaced:

1. each reply's ArrayRecord is flattened, array by array in the record's key order, into
   one float32 row; the update of client i is row_i − w, w the global model this round sent
   (so the rule sees model updates, as in Byzantine-robust FL papers); the rows are then put
   in a fixed order that neither arrival nor node ids decide (below);
2. the m × d matrix of updates goes to :func:`brsgd.aggregate` (in process, the Swift
   rules through their C interface; a client whose update holds NaN or ±Inf is rejected);
3. the new global model is w + rule(updates), cast back to each array's shape and dtype.

**Arrival order does not matter, and neither do node ids.** Some rules break ties by row
position (BrSGD's equal scores — integers, so ties are common —, Krum's and Multi-Krum's
equal scores): the row a client lands in must be something it cannot choose or buy. Rows
are ordered by a keyed hash of their bytes: BLAKE2b of (round, update) under a secret
``row_order_seed``, ties of equal hashes (equal updates) by node id. So

- the same replies give the same aggregate, bit for bit, in whatever order they arrive:
  answering first buys nothing;
- a client cannot predict its position, nor move it by choosing its node id or re-joining
  for another one (a SuperNode that registers again gets a new id from the SuperLink);
  without the key, perturbing its update moves it to an unpredictable place;
- the order depends on the updates and the key only, not on node ids — which the
  Simulation Engine draws anew in every run —, so a federation with a fixed
  ``row_order_seed`` and seeded clients gives the same global model run after run.

``row_order_seed=None`` (the default) draws a fresh key from ``os.urandom``: safe, but
ties then fall differently from run to run. Fix it for reproducible runs and keep it on the
server: a client that knows the key could search perturbations of its update for one that
sorts first (every value the ServerApp reads from the run config is visible to the
ClientApps too). Hashing costs one BLAKE2b pass over the m × d updates per round, slower
than the rule itself at large d (measured in docs/guide/flower.md).

Robust rules are **unweighted**: every client counts once, whatever its ``num-examples``
(weighting would let one client claiming many examples outvote the rest, which is exactly
what the rules exist to prevent). ``weighted_by_key`` still weights the *metrics* average,
as in FedAvg. Models train in float32 here; float64 arrays go through float32.

Every keyword that is not FedAvg's is a rule parameter, named like the command line's long
options (``assumed_byzantine``, ``beta``, ``threshold``, ``multi_krum_count``, ``smoothing``,
``iterations``, ``clipping_radius``, ``nnm``) and checked by the library when the strategy is
made. ``strategy.last_diagnostics`` holds the rule's diagnostics of the last round, rows
named by node id (``selected_nodes``, ``rejected_nodes``).
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections.abc import Iterable
from logging import INFO, WARNING
from typing import Any

import numpy as np

try:
    from flwr.app import Array, ArrayRecord, ConfigRecord, Message, MetricRecord
    from flwr.serverapp import Grid
    from flwr.serverapp.strategy import FedAvg
    from flwr.supercore import log
except ImportError as error:  # pragma: no cover - exercised only without flwr
    raise ImportError("brsgd.flower needs Flower's message API: pip install 'flwr>=1.42,<2'") from error

from .aggregation import aggregate, check_rule, rule_configuration

__all__ = [
    "BrSGD",
    "Bulyan",
    "CenteredClipping",
    "GeometricMedian",
    "Krum",
    "Mean",
    "Median",
    "MultiKrum",
    "RobustStrategy",
    "TrimmedMean",
    "flatten",
    "row_order",
    "unflatten",
]

# FedAvg's own keywords; every other keyword is the rule's.
_FEDAVG_KEYWORDS = frozenset(inspect.signature(FedAvg.__init__).parameters) - {"self"}


def flatten(record: ArrayRecord, out: np.ndarray | None = None) -> np.ndarray:
    """The arrays of ``record``, in its key order, as one float32 vector (into ``out``)."""
    arrays = [record[key].numpy() for key in record.keys()]
    d = sum(a.size for a in arrays)
    if out is None:
        out = np.empty(d, dtype=np.float32)
    elif out.shape != (d,):
        raise ValueError(f"the record holds {d} values, the row {out.shape[0]}")
    offset = 0
    for a in arrays:
        out[offset:offset + a.size] = a.reshape(-1)
        offset += a.size
    return out


def unflatten(vector: np.ndarray, like: ArrayRecord) -> ArrayRecord:
    """``vector`` cut into the shapes and dtypes of ``like``'s arrays, in its key order."""
    record = ArrayRecord()
    offset = 0
    for key in like.keys():
        template = like[key].numpy()
        piece = vector[offset:offset + template.size]
        record[key] = Array(np.ascontiguousarray(piece.reshape(template.shape).astype(template.dtype, copy=False)))
        offset += template.size
    if offset != vector.size:
        raise ValueError(f"the vector holds {vector.size} values, the record {offset}")
    return record


def _row_order_key(seed: int | bytes | None) -> bytes:
    if seed is None:
        return os.urandom(32)
    if isinstance(seed, (bytes, bytearray)):
        key = bytes(seed)
    elif isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0:
        key = seed.to_bytes(max(1, (seed.bit_length() + 7) // 8), "little")
    else:
        raise ValueError(f"row_order_seed must be a non-negative int or bytes, got {seed!r}")
    if len(key) > hashlib.blake2b.MAX_KEY_SIZE:
        raise ValueError(f"row_order_seed is {len(key)} bytes; BLAKE2b keys have at most 64")
    return key


def row_order(updates: np.ndarray, server_round: int, key: bytes) -> list[int]:
    """The order in which the rows of ``updates`` go to the rule: by BLAKE2b, keyed with
    ``key``, of the round number and the row's bytes; equal rows keep their order.

    The position of a row then depends only on its content, the round and the key: not on
    when it arrived nor on who sent it (see the module's docs)."""
    prefix = int(server_round).to_bytes(8, "little", signed=True)
    digests = []
    for row in np.ascontiguousarray(updates, dtype=np.float32):
        digest = hashlib.blake2b(prefix, key=key, digest_size=16)
        digest.update(row.data)
        digests.append(digest.digest())
    return sorted(range(len(digests)), key=lambda i: (digests[i], i))


class RobustStrategy(FedAvg):
    """FedAvg with ``aggregate_train`` replaced by a brsgd rule (see the module's docs).

    Parameters:
        rule: a rule name (``brsgd``, ``krum``, ``median``, …; ``brsgd.rules()`` lists them)
            or a full configuration mapping ``{"name": …, …}``.
        row_order_seed: the key (an int or bytes, up to 64 bytes) of the hash that orders
            the rows, and so breaks the rule's ties (see the module's docs); ``None`` draws
            one from ``os.urandom``.
        **keywords: FedAvg's keywords (``fraction_train``, ``min_train_nodes``, …) and the
            rule's parameters (``assumed_byzantine=2``, ``beta=0.5``, …).

    Raises :class:`brsgd.RuleError` at once for a wrong rule or parameter; a round whose
    replies the rule cannot aggregate (say Krum with too few replies for f) raises
    :class:`brsgd.AggregationError` from ``aggregate_train``.
    """

    def __init__(self, rule: Any = "brsgd", *, row_order_seed: int | bytes | None = None,
                 **keywords: Any) -> None:
        fedavg = {k: v for k, v in keywords.items() if k in _FEDAVG_KEYWORDS}
        parameters = {k: v for k, v in keywords.items() if k not in _FEDAVG_KEYWORDS}
        super().__init__(**fedavg)
        self.rule = check_rule(rule_configuration(rule, **parameters))
        self._row_order_key = _row_order_key(row_order_seed)
        self.current_arrays: ArrayRecord | None = None
        self.last_diagnostics: dict[str, Any] | None = None

    def summary(self) -> None:
        super().summary()
        log(INFO, "\t└──> Robust aggregation (brsgd, unweighted): %s", self.rule)

    def configure_train(self, server_round: int, arrays: ArrayRecord, config: ConfigRecord,
                        grid: Grid) -> Iterable[Message]:
        # The global model of this round: updates are measured from it.
        self.current_arrays = arrays
        return super().configure_train(server_round, arrays, config, grid)

    def aggregate_train(self, server_round: int,
                        replies: Iterable[Message]) -> tuple[ArrayRecord | None, MetricRecord | None]:
        valid, _ = self._check_and_log_replies(replies, is_train=True)
        if not valid:
            return None, None
        # Node-id order first (never arrival order), for the metrics and for equal updates;
        # the rows' own order is the keyed hash's, below.
        valid = sorted(valid, key=lambda msg: msg.metadata.src_node_id)
        records = [next(iter(msg.content.array_records.values())) for msg in valid]
        template = records[0]
        d = sum(template[key].numpy().size for key in template.keys())
        updates = np.empty((len(records), d), dtype=np.float32)
        for row, record in zip(updates, records):
            flatten(record, out=row)
        if self.current_arrays is not None:
            current = flatten(self.current_arrays)
            if current.size != d:
                raise ValueError(f"the clients sent {d} values, the global model has {current.size}")
        else:
            # aggregate_train without configure_train (a test driving it directly): the
            # clients' models themselves are aggregated, i.e. updates from the origin.
            current = np.zeros(d, dtype=np.float32)
        updates -= current
        order = row_order(updates, server_round, self._row_order_key)
        updates = updates[order]
        aggregate_update, diagnostics = aggregate(updates, self.rule, diagnostics=True)
        nodes = [valid[i].metadata.src_node_id for i in order]
        diagnostics["nodes"] = nodes
        diagnostics["selected_nodes"] = [nodes[i] for i in diagnostics["selected_rows"]]
        diagnostics["rejected_nodes"] = [nodes[i] for i in diagnostics["rejected_rows"]]
        self.last_diagnostics = diagnostics
        if diagnostics["rejected_rows"]:
            log(WARNING, "aggregate_train: rejected non-finite updates from nodes %s", diagnostics["rejected_nodes"])
        log(INFO, "aggregate_train: %s selected %d of %d updates", diagnostics["rule"],
            len(diagnostics["selected_rows"]), len(valid))
        arrays = unflatten(current + aggregate_update, like=template)
        metrics = self.train_metrics_aggr_fn([msg.content for msg in valid], self.weighted_by_key)
        return arrays, metrics


# One class per rule, for `from brsgd.flower import Krum`; each is RobustStrategy(rule, …).


class BrSGD(RobustStrategy):
    """BrSGD (Li et al., Algorithm 2): ``beta`` (default 0.5), ``threshold`` (a number or ``"auto"``, the default)."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("brsgd", **keywords)


class Mean(RobustStrategy):
    """The plain mean of the updates, unweighted: not robust, the baseline."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("mean", **keywords)


class Median(RobustStrategy):
    """Coordinate-wise median (Yin et al., ICML 2018)."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("median", **keywords)


class TrimmedMean(RobustStrategy):
    """Coordinate-wise trimmed mean, f from each side (Yin et al., ICML 2018): ``assumed_byzantine``."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("trimmed-mean", **keywords)


class Krum(RobustStrategy):
    """Krum (Blanchard et al., NeurIPS 2017): ``assumed_byzantine``."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("krum", **keywords)


class MultiKrum(RobustStrategy):
    """Multi-Krum (El Mhamdi et al., ICML 2018): ``assumed_byzantine``, ``multi_krum_count`` (default m − f)."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("multi-krum", **keywords)


class GeometricMedian(RobustStrategy):
    """Geometric median by smoothed Weiszfeld (Pillutla et al., 2022): ``smoothing``, ``iterations``."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("geometric-median", **keywords)


class Bulyan(RobustStrategy):
    """Bulyan (El Mhamdi et al., ICML 2018): ``assumed_byzantine``; needs m ≥ 4f + 3 replies."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("bulyan", **keywords)


class CenteredClipping(RobustStrategy):
    """Centered clipping (Karimireddy et al., ICML 2021): ``clipping_radius``, ``iterations``."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__("centered-clipping", **keywords)
