#!/usr/bin/env python3
"""m workers of a `brsgd master --parameters` in one process, for measuring the master's memory.

  master_memory_client.py --port P --workers 100 --rounds 3 [--concurrency 100]

Opens one gRPC channel (its own TCP connection) per worker, joins every worker id 0..<m,
then each round: every worker asks for the round (FetchRound; the d float32 of the model
come back and are dropped), then every worker uploads a gradient of d float32 (the same
standard normals for all, element 0 set to the worker's id: rows differ, the rule has
work to do). At most --concurrency calls of each kind are in flight at once (100: all the
workers at once, as 100 real workers finishing their batches together would be). The
requests are packed by hand (the protobuf wire format of brsgd.v1's GradientSubmission) so
that the client holds one copy of each upload, not three.

Prints one JSON line: rounds done, uploads accepted and refused (by code), seconds.
Needs grpcio, protobuf and numpy; the messages come from python/src/brsgd/v1.
"""
import argparse, asyncio, json, os, struct, sys, time

# The generated messages only (importing the brsgd package would load its Swift library).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "src", "brsgd"))
import grpc  # noqa: E402
import numpy as np  # noqa: E402
from v1 import training_pb2 as pb  # noqa: E402

SERVICE = "/brsgd.v1.Training/"
OPTIONS = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1),
           ("grpc.use_local_subchannel_pool", 1)]  # one connection per worker, as real workers have


def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def submission(worker, session, round_, gradient, loss=1.0):
    """GradientSubmission's wire bytes: fields 1 (worker_id), 2 (session), 3 (round), 4 (gradient), 5 (loss)."""
    head = (varint(1 << 3) + varint(worker) + varint(2 << 3 | 2) + varint(len(session)) + session
            + varint(3 << 3) + varint(round_) + varint(4 << 3 | 2) + varint(len(gradient)))
    return b"".join((head, gradient, varint(5 << 3 | 5), struct.pack("<f", loss)))


class Worker:
    def __init__(self, port, worker_id):
        self.id = worker_id
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=OPTIONS)
        self.join = self.channel.unary_unary(SERVICE + "Join", request_serializer=pb.JoinRequest.SerializeToString,
                                             response_deserializer=pb.JoinResponse.FromString)
        self.fetch = self.channel.unary_unary(SERVICE + "FetchRound",
                                              request_serializer=pb.RoundRequest.SerializeToString,
                                              response_deserializer=pb.RoundAssignment.FromString)
        self.submit = self.channel.unary_unary(SERVICE + "SubmitGradient", request_serializer=None,
                                               response_deserializer=pb.SubmissionReply.FromString)
        self.session = b""

    @property
    def metadata(self):
        return (("brsgd-session", self.session.hex()), ("brsgd-worker-id", str(self.id)))

    async def start(self):
        reply = await self.join(pb.JoinRequest(worker_id=self.id, protocol_version=1), timeout=60, wait_for_ready=True)
        self.session = reply.session
        return reply

    async def round_open(self, round_):
        """Waits for round `round_`; returns False when training is over."""
        while True:
            request = pb.RoundRequest(worker_id=self.id, session=self.session, wait_milliseconds=10000,
                                      next_round=round_)
            assignment = await self.fetch(request, timeout=600, metadata=self.metadata)
            if assignment.status == pb.RoundAssignment.STATUS_FINISHED:
                return False
            if assignment.status == pb.RoundAssignment.STATUS_OPEN and assignment.round == round_:
                return True

    async def upload(self, round_, base):
        body = submission(self.id, self.session, round_, struct.pack("<f", float(self.id)) + base[4:])
        reply = await self.submit(body, timeout=600, metadata=self.metadata)
        return reply.code if not reply.accepted else "accepted"


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=100, help="calls of each kind in flight at once")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    workers = [Worker(args.port, w) for w in range(args.workers)]
    joined = await asyncio.gather(*(w.start() for w in workers))
    d = joined[0].parameter_count
    base = np.random.default_rng(args.seed).standard_normal(d, dtype=np.float32).astype("<f4").tobytes()
    limit = asyncio.Semaphore(args.concurrency)

    async def bounded(call):
        async with limit:
            return await call()

    outcomes, rounds, start = {}, 0, time.monotonic()
    for round_ in range(min(args.rounds, joined[0].total_rounds)):
        open_ = await asyncio.gather(*(bounded(lambda w=w: w.round_open(round_)) for w in workers))
        if not all(open_):
            break
        for code in await asyncio.gather(*(bounded(lambda w=w: w.upload(round_, base)) for w in workers)):
            outcomes[code] = outcomes.get(code, 0) + 1
        rounds += 1
        print(f"round {round_} uploaded ({time.monotonic() - start:.1f} s)", file=sys.stderr, flush=True)
    # Tell the master every worker is done: each asks once more and is answered finished.
    await asyncio.gather(*(bounded(lambda w=w: w.round_open(rounds)) for w in workers))
    for w in workers:
        await w.channel.close()
    print(json.dumps({"d": d, "workers": args.workers, "rounds": rounds, "uploads": outcomes,
                      "seconds": round(time.monotonic() - start, 1)}))


if __name__ == "__main__":
    asyncio.run(main())
