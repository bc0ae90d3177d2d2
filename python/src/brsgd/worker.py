"""A worker for brsgd's master, in Python: the loop of ``Protos/brsgd/v1/training.proto``.

    Join(worker_id, token, protocol_version=1) → session
    loop:
        FetchRound(session, wait_milliseconds, next_round)   a long poll
          STATUS_WAIT      → ask again
          STATUS_FINISHED  → stop
          STATUS_OPEN      → gradient, loss = fn(parameters)
                             SubmitGradient(round, gradient, loss), and at the same time
                             FetchRound(next_round = round + 1)

It behaves on the wire as the Swift worker (``NetworkWorker``) does: a session the master
does not know (``UNAUTHENTICATED`` on FetchRound, or a SubmitGradient refused with code
``unauthenticated``, as after a master restart) makes it join again and ask from round 0; a
worker id still held by a lapsing session (``ALREADY_EXISTS``) is retried; a refused token,
an unknown worker id or a wrong protocol version stop it with :class:`WorkerError`; a master
that cannot be reached is retried until ``give_up_after`` seconds have passed without
contact (or the last round is done). Every FetchRound and SubmitGradient also carries the
session and the worker id as request metadata (``brsgd-session``, the session in lower-case
hex, and ``brsgd-worker-id``), which the master checks on the headers before it reads the
message; headers that name no live session are refused (``UNAUTHENTICATED``).

The decisions are :func:`decide` (a pure function of the call and the status, tested without
a network); :class:`Worker` carries them out.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import numpy as np

from .v1 import training_pb2 as pb
from .v1 import training_pb2_grpc as pb_grpc

__all__ = ["Action", "Worker", "WorkerError", "WorkerSummary", "decide"]

PROTOCOL_VERSION = 1
SESSION_METADATA = "brsgd-session"   # lower-case hex, as the master's gate reads it
WORKER_ID_METADATA = "brsgd-worker-id"

GradientFunction = Callable[[np.ndarray], "tuple[Any, float]"]


class WorkerError(RuntimeError):
    """The worker stopped: the master refused it, or stayed unreachable.

    ``code`` is the gRPC status (a ``grpc.StatusCode``) when a refusal caused it, else None.
    """

    def __init__(self, message: str, code: grpc.StatusCode | None = None):
        super().__init__(message)
        self.code = code


class Action(enum.Enum):
    """What the worker does after a failed call."""

    #: Forget the session and join again (the master does not know it).
    REJOIN = "rejoin"
    #: Try the same call again after a short pause (the id is still held).
    RETRY = "retry"
    #: Wait for the master to come back (the channel reconnects by itself).
    RECONNECT = "reconnect"
    #: Stop with a WorkerError: retrying cannot help.
    STOP = "stop"


def decide(call: str, code: grpc.StatusCode) -> Action:
    """The worker's answer to status ``code`` from ``call`` ("join", "fetch" or "submit").

    - UNAUTHENTICATED on join: the token is wrong → STOP; on fetch or submit: the master
      forgot the session (a restart) → REJOIN.
    - ALREADY_EXISTS (join: the id is held by a live session) → RETRY.
    - INVALID_ARGUMENT (unknown worker id, malformed), FAILED_PRECONDITION (protocol
      version), PERMISSION_DENIED → STOP.
    - anything else (UNAVAILABLE, DEADLINE_EXCEEDED, …) → RECONNECT.
    """
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return Action.STOP if call == "join" else Action.REJOIN
    if code == grpc.StatusCode.ALREADY_EXISTS:
        return Action.RETRY
    if code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION,
                grpc.StatusCode.PERMISSION_DENIED):
        return Action.STOP
    return Action.RECONNECT


@dataclass
class WorkerSummary:
    """What a worker did."""

    #: Gradients uploaded (accepted or not).
    submitted: int = 0
    #: Gradients the master accepted.
    accepted: int = 0
    #: Refusals by reason (``wrong_round``, ``non_finite``, …).
    refusals: dict[str, int] = field(default_factory=dict)
    #: Times the worker joined (more than once after a master restart).
    joins: int = 0
    #: The rounds fn was called for, in order.
    rounds: list[int] = field(default_factory=list)


class _Failed(Exception):
    """A gRPC failure with the call it came from."""

    def __init__(self, call: str, error: grpc.RpcError):
        super().__init__(str(error))
        self.call = call
        self.error = error


class Worker:
    """A worker of a ``brsgd master`` run.

    >>> def fn(parameters):                     # np.ndarray float32 of length d (read-only)
    ...     gradient = compute(parameters)      # any array-like of d numbers
    ...     return gradient, loss
    >>> summary = Worker("127.0.0.1:50051", worker_id=3, token=None).run(fn)

    Parameters:
        master: ``host:port`` of the master.
        worker_id: this worker's index, 0..<m (the master's workers 0..<b are the
            experiment's Byzantine ones; a Python worker decides its own behaviour in fn).
        token: the shared secret (the content of the master's ``--token-file``), or this
            worker's own with ``--worker-tokens``; None when the master needs none.
        credentials: ``grpc.ssl_channel_credentials(...)`` for a TLS master (mutual TLS:
            pass the worker's key and certificate too); None for plaintext.
        poll_wait: seconds one FetchRound may be held by the master (it caps it at 10).
        give_up_after: stop when the master has not answered for this many seconds.
        max_message_bytes: the largest message sent or received (parameters and
            gradients are 4·d bytes).
        channel_options: more ``grpc`` channel options.
        logger: where to log (default ``logging.getLogger("brsgd.worker")``); the worker
            never prints.
    """

    def __init__(
        self,
        master: str,
        worker_id: int,
        token: str | None = None,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        poll_wait: float = 5.0,
        give_up_after: float = 120.0,
        max_message_bytes: int = 64 << 20,
        channel_options: list[tuple[str, Any]] | None = None,
        logger: logging.Logger | None = None,
    ):
        if worker_id < 0:
            raise ValueError(f"worker_id must be ≥ 0, got {worker_id}")
        self.master = master
        self.worker_id = int(worker_id)
        self.token = token or ""
        self.credentials = credentials
        self.poll_wait = float(poll_wait)
        self.give_up_after = float(give_up_after)
        self.max_message_bytes = int(max_message_bytes)
        self.channel_options = list(channel_options or [])
        self.logger = logger or logging.getLogger("brsgd.worker")
        #: The master's JoinResponse of the current session (config_json, parameter_count,
        #: total_rounds), or None before the first join.
        self.joined: pb.JoinResponse | None = None
        #: The round fn is computing, while it runs.
        self.current_round: int | None = None
        self._stop = threading.Event()

    def stop(self) -> None:
        """Makes :meth:`run` return after the call in flight (at most ``poll_wait`` s)."""
        self._stop.set()

    # The loop ----------------------------------------------------------------------------

    def run(self, fn: GradientFunction) -> WorkerSummary:
        """Joins and computes round after round until the master says training is over.

        Returns what the worker did. Raises :class:`WorkerError` when the master refuses
        it or stays away, and whatever ``fn`` raises (the worker then stops at once).
        """
        options = [
            ("grpc.max_send_message_length", self.max_message_bytes),
            ("grpc.max_receive_message_length", self.max_message_bytes),
            *self.channel_options,
        ]
        if self.credentials is None:
            channel = grpc.insecure_channel(self.master, options=options)
        else:
            channel = grpc.secure_channel(self.master, self.credentials, options=options)
        with channel:
            return self._loop(pb_grpc.TrainingStub(channel), fn)

    def _loop(self, stub: pb_grpc.TrainingStub, fn: GradientFunction) -> WorkerSummary:
        log = logging.LoggerAdapter(self.logger, {"worker": self.worker_id})
        summary = WorkerSummary()
        session: bytes | None = None
        parameter_count = 0
        total_rounds: int | None = None
        last_round: int | None = None
        # The earliest round to ask for in this session (a restarted master may replay
        # rounds, so it starts again at 0 with every join), and a round fetched ahead.
        next_round = 0
        prefetched: pb.RoundAssignment | None = None
        last_contact = time.monotonic()
        wait_ms = max(0, int(self.poll_wait * 1000))
        poll_timeout = self.poll_wait + 10.0

        while not self._stop.is_set():
            try:
                if session is None:
                    response = self._call("join", stub.Join, pb.JoinRequest(
                        worker_id=self.worker_id, token=self.token, protocol_version=PROTOCOL_VERSION),
                        timeout=10.0)
                    last_contact = time.monotonic()
                    log.info("%s; %d parameters, %d rounds", "rejoined" if summary.joins else "joined",
                             response.parameter_count, response.total_rounds)
                    session = response.session
                    parameter_count = response.parameter_count
                    total_rounds = response.total_rounds
                    self.joined = response
                    next_round = 0
                    prefetched = None
                    summary.joins += 1
                metadata = ((SESSION_METADATA, session.hex()), (WORKER_ID_METADATA, str(self.worker_id)))
                request = pb.RoundRequest(worker_id=self.worker_id, session=session,
                                          wait_milliseconds=wait_ms, next_round=next_round)
                if prefetched is not None:
                    assignment, prefetched = prefetched, None
                else:
                    assignment = self._call("fetch", stub.FetchRound, request, timeout=poll_timeout,
                                            metadata=metadata)
                last_contact = time.monotonic()
                if assignment.status == pb.RoundAssignment.STATUS_FINISHED:
                    log.info("training finished after %d submissions", summary.submitted)
                    return summary
                if assignment.status != pb.RoundAssignment.STATUS_OPEN:
                    continue  # STATUS_WAIT, or a status this worker does not know: ask again
                if len(assignment.parameters) != 4 * parameter_count:
                    raise WorkerError(
                        f"the master sent {len(assignment.parameters)} bytes of parameters for round "
                        f"{assignment.round}, not 4 × {parameter_count}")
                parameters = np.frombuffer(assignment.parameters, dtype="<f4")
                self.current_round = assignment.round
                summary.rounds.append(assignment.round)
                gradient, loss = fn(parameters)
                self.current_round = None
                packed = _pack(gradient, parameter_count, assignment.round)
                submission = pb.GradientSubmission(worker_id=self.worker_id, session=session,
                                                   round=assignment.round, gradient=packed, loss=float(loss))
                # Upload round t and ask for round t + 1 at once: the next model can come back
                # one round trip sooner than if the two calls followed each other.
                ahead = pb.RoundRequest(worker_id=self.worker_id, session=session,
                                        wait_milliseconds=wait_ms, next_round=assignment.round + 1)
                future = stub.FetchRound.future(ahead, timeout=poll_timeout, metadata=metadata,
                                                wait_for_ready=True)
                try:
                    reply = self._call("submit", stub.SubmitGradient, submission, timeout=30.0,
                                       metadata=metadata)
                except BaseException:
                    future.cancel()
                    raise
                last_contact = time.monotonic()
                summary.submitted += 1
                last_round = assignment.round
                next_round = assignment.round + 1
                if reply.accepted:
                    summary.accepted += 1
                else:
                    summary.refusals[reply.code] = summary.refusals.get(reply.code, 0) + 1
                    log.warning("gradient for round %d refused: %s (%s)", assignment.round, reply.code,
                                reply.message)
                    if reply.code == "unauthenticated":
                        future.cancel()
                        session = None
                        continue
                try:
                    prefetched = future.result()
                except grpc.RpcError as error:
                    raise _Failed("fetch", error) from error
            except _Failed as failure:
                code = failure.error.code()
                detail = failure.error.details() or ""
                action = decide(failure.call, code)
                if action is Action.STOP:
                    if failure.call == "join" and code == grpc.StatusCode.UNAUTHENTICATED:
                        raise WorkerError(f"the master refused the token: {detail}", code) from None
                    raise WorkerError(f"the master refused this worker ({code.name}): {detail}", code) from None
                if action is Action.REJOIN:
                    log.info("session not known to the master; joining again (%s)", detail)
                    session = None
                    self._pause(0.1)
                elif action is Action.RETRY:
                    log.info("worker id still held by an earlier session; retrying (%s)", detail)
                    self._pause(0.5)
                else:
                    if last_round is not None and total_rounds is not None and last_round + 1 >= total_rounds:
                        log.info("master gone after the last round; done")
                        return summary
                    unreachable = time.monotonic() - last_contact
                    if unreachable > self.give_up_after:
                        raise WorkerError(
                            f"the master at {self.master} has been unreachable for {unreachable:.0f} s "
                            f"({code.name}: {detail})", code) from None
                    log.debug("master unreachable (%s); retrying", code.name)
                    self._pause(0.2)
        return summary

    def _call(self, name: str, method: Any, request: Any, *, timeout: float,
              metadata: Any = None) -> Any:
        try:
            return method(request, timeout=timeout, metadata=metadata, wait_for_ready=True)
        except grpc.RpcError as error:
            raise _Failed(name, error) from error

    def _pause(self, seconds: float) -> None:
        self._stop.wait(seconds)


def _pack(gradient: Any, parameter_count: int, round_: int) -> bytes:
    """The gradient as packed little-endian float32, checked to have d entries."""
    values = np.asarray(gradient)
    if values.size != parameter_count:
        raise ValueError(
            f"fn returned {values.size} values for round {round_}; the model has {parameter_count} parameters")
    return np.ascontiguousarray(values, dtype="<f4").reshape(-1).tobytes()
