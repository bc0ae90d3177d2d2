"""A master for tests: the Training service of Protos/brsgd/v1/training.proto in Python.

It follows the Swift master's rules closely enough to test a worker against it: sessions,
the long poll with ``next_round``, one submission per worker and round, rounds that close
when all m workers have submitted, w ← w − η·rule(G) through ``brsgd.aggregate``. It
records every call (worker, method, round, the metadata it carried) so tests can check the
order of messages, and it can misbehave on purpose: refuse a worker's first join with
ALREADY_EXISTS, or forget every session when a given round opens (as a restarted master).
"""

from __future__ import annotations

import os
import threading
from concurrent import futures
from dataclasses import dataclass, field

import grpc
import numpy as np

import brsgd
from brsgd.v1 import training_pb2 as pb
from brsgd.v1 import training_pb2_grpc as pb_grpc


@dataclass
class Event:
    worker: int
    method: str          # "join", "fetch", "submit"
    round: int | None    # the round fetched (OPEN) or submitted; None otherwise
    next_round: int | None = None
    outcome: str = ""    # "open", "wait", "finished", "accepted", a refusal code, a status name
    metadata_ok: bool | None = None


@dataclass
class Step:
    round: int
    parameters: np.ndarray   # w_t
    gradients: np.ndarray    # G_t, m × d, row i = worker i
    updated: np.ndarray      # w_{t+1}


@dataclass
class FakeMaster(pb_grpc.TrainingServicer):
    workers: int
    rounds: int
    initial: np.ndarray
    lr: float = 0.1
    rule: str = "median"
    rule_parameters: dict = field(default_factory=dict)
    token: str = ""
    already_exists_once: set = field(default_factory=set)
    forget_sessions_at_round: int | None = None

    def __post_init__(self):
        self.parameters = np.array(self.initial, dtype=np.float32)
        self.d = self.parameters.size
        self.round = 0
        self.sessions: dict[int, bytes] = {}
        self.attempted: dict[int, int] = {}
        self.submitted: dict[int, np.ndarray] = {}
        self.events: list[Event] = []
        self.steps: list[Step] = []
        self.finished = False
        self.condition = threading.Condition()
        self._refused_once: set = set()

    # Helpers --------------------------------------------------------------------------

    def _metadata_ok(self, context, worker: int, session: bytes) -> bool:
        metadata = dict(context.invocation_metadata())
        return (metadata.get("brsgd-session") == session.hex()
                and metadata.get("brsgd-worker-id") == str(worker))

    def _record(self, event: Event) -> None:
        self.events.append(event)

    def events_of(self, worker: int) -> list[Event]:
        with self.condition:
            return [e for e in self.events if e.worker == worker]

    # The service ---------------------------------------------------------------------

    def Join(self, request, context):
        worker = request.worker_id
        with self.condition:
            def refuse(code, message):
                self._record(Event(worker, "join", None, outcome=code.name))
                context.abort(code, message)
            if request.protocol_version != 1:
                refuse(grpc.StatusCode.FAILED_PRECONDITION, f"protocol version {request.protocol_version} is not 1")
            if request.token != self.token:
                refuse(grpc.StatusCode.UNAUTHENTICATED, "unauthenticated: the token does not match the master's")
            if worker >= self.workers:
                refuse(grpc.StatusCode.INVALID_ARGUMENT,
                       f"unknown_worker: worker id {worker} is not in 0..<{self.workers}")
            if worker in self.already_exists_once and worker not in self._refused_once:
                self._refused_once.add(worker)
                refuse(grpc.StatusCode.ALREADY_EXISTS, f"unauthenticated: worker id {worker} is taken by a live session")
            session = os.urandom(16)
            self.sessions[worker] = session
            self._record(Event(worker, "join", None, outcome="joined"))
            return pb.JoinResponse(session=session, config_json="", parameter_count=self.d,
                                   total_rounds=self.rounds)

    def FetchRound(self, request, context):
        worker = request.worker_id
        with self.condition:
            if self.sessions.get(worker) != request.session:
                self._record(Event(worker, "fetch", None, request.next_round, "UNAUTHENTICATED"))
                context.abort(grpc.StatusCode.UNAUTHENTICATED,
                              f"unauthenticated: no valid session for worker {worker}; join first")
            metadata_ok = self._metadata_ok(context, worker, request.session)
            deadline = request.wait_milliseconds / 1000.0

            def ready():
                return self.finished or (self.attempted.get(worker) != self.round
                                         and self.round >= request.next_round)
            self.condition.wait_for(lambda: ready() or self.sessions.get(worker) != request.session,
                                    timeout=min(deadline, 10.0))
            if self.sessions.get(worker) != request.session:
                self._record(Event(worker, "fetch", None, request.next_round, "UNAUTHENTICATED", metadata_ok))
                context.abort(grpc.StatusCode.UNAUTHENTICATED,
                              f"unauthenticated: no valid session for worker {worker}; join first")
            if self.finished:
                self._record(Event(worker, "fetch", None, request.next_round, "finished", metadata_ok))
                return pb.RoundAssignment(status=pb.RoundAssignment.STATUS_FINISHED)
            if ready():
                self._record(Event(worker, "fetch", self.round, request.next_round, "open", metadata_ok))
                return pb.RoundAssignment(status=pb.RoundAssignment.STATUS_OPEN, round=self.round,
                                          parameters=self.parameters.astype("<f4").tobytes())
            self._record(Event(worker, "fetch", None, request.next_round, "wait", metadata_ok))
            return pb.RoundAssignment(status=pb.RoundAssignment.STATUS_WAIT)

    def SubmitGradient(self, request, context):
        worker = request.worker_id
        with self.condition:
            def refuse(code, message):
                self._record(Event(worker, "submit", request.round, outcome=code))
                return pb.SubmissionReply(accepted=False, code=code, message=message)
            if self.sessions.get(worker) != request.session:
                return refuse("unauthenticated", f"unauthenticated: no valid session for worker {worker}; join first")
            metadata_ok = self._metadata_ok(context, worker, request.session)
            if self.finished or request.round != self.round:
                return refuse("wrong_round", f"round {request.round} is not open (round {self.round} is)")
            if worker in self.submitted:
                return refuse("duplicate", f"worker {worker} already submitted to round {self.round}")
            if len(request.gradient) != 4 * self.d:
                return refuse("wrong_length", f"{len(request.gradient)} bytes, not 4 × {self.d}")
            self.attempted[worker] = self.round
            self.submitted[worker] = np.frombuffer(request.gradient, dtype="<f4").astype(np.float32)
            self._record(Event(worker, "submit", request.round, outcome="accepted", metadata_ok=metadata_ok))
            if len(self.submitted) == self.workers:
                self._close_round()
            return pb.SubmissionReply(accepted=True)

    def _close_round(self) -> None:
        G = np.stack([self.submitted[i] for i in range(self.workers)])
        g = brsgd.aggregate(G, self.rule, **self.rule_parameters)
        updated = self.parameters - np.float32(self.lr) * g
        self.steps.append(Step(self.round, self.parameters.copy(), G, updated.copy()))
        self.parameters = updated
        self.submitted = {}
        self.round += 1
        if self.round >= self.rounds:
            self.finished = True
        elif self.round == self.forget_sessions_at_round:
            self.sessions.clear()   # a restarted master: every session is unknown now
        self.condition.notify_all()


class Serving:
    """Runs a FakeMaster on a free loopback port for the duration of a `with` block."""

    def __init__(self, master: FakeMaster):
        self.master = master
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
        pb_grpc.add_TrainingServicer_to_server(master, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> "Serving":
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop(grace=None)
