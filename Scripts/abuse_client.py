#!/usr/bin/env python3
"""The attacker of Scripts/abuse-drill.sh: a raw HTTP/2 client (the `h2` package) that sends
what no gRPC client sends, against a brsgd master on loopback. Bounded in count and time.

  abuse_client.py halfsent --port P [--streams 1500] [--connections 100] [--size 1000000] [--seconds 60]
      Streams to SubmitGradient without a session: each declares a message of --size bytes
      and sends all but its last 1,000 bytes, then holds the stream open.
  abuse_client.py garbage --port P [--count 200]
      --count each of: FetchRound with a made-up session, Join with a wrong token, an unknown
      method, no message, two messages, a compressed message, a short message.

Prints one JSON line: what the master answered, by reason (the brsgd-reason trailer, or
'reset', 'connection_closed', 'held' for a stream still open when the time was up).
"""
import argparse, json, select, socket, struct, sys, time
from collections import Counter

import h2.config, h2.connection, h2.events, h2.exceptions, h2.settings

SERVICE = "/brsgd.v1.Training/"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    return varint(number << 3 | 2) + varint(len(data)) + data


def framed(message, compressed=False):
    return struct.pack(">BI", 1 if compressed else 0, len(message)) + message


class Connection:
    """One HTTP/2 connection, non-blocking, driven by `pump`."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.h2.initiate_connection()
        self.closed = False
        self.pending = {}  # stream id -> bytes still to send (before the held tail)
        self.outcome = {}  # stream id -> reason
        self.flush()

    def open(self, method, body=b"", end=True, headers=(), hold_tail=0, content_type="application/grpc"):
        sid = self.h2.get_next_available_stream_id()
        self.h2.send_headers(sid, [(":method", "POST"), (":scheme", "http"), (":authority", "127.0.0.1"),
                                   (":path", method if method.startswith("/") else SERVICE + method),
                                   ("content-type", content_type), ("te", "trailers"), *headers],
                             end_stream=end and not body)
        if body:
            self.pending[sid] = [body[: len(body) - hold_tail], end and hold_tail == 0]
        return sid

    def send_pending(self):
        for sid, (data, end) in list(self.pending.items()):
            if sid in self.outcome:
                del self.pending[sid]
                continue
            try:
                window = self.h2.local_flow_control_window(sid)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
                del self.pending[sid]
                continue
            sent = 0
            try:
                # Frames of at most the master's SETTINGS_MAX_FRAME_SIZE, as far as the window goes.
                while sent < len(data) and sent < window and sent < (4 << 20):
                    size = min(self.h2.max_outbound_frame_size, window - sent, len(data) - sent)
                    self.h2.send_data(sid, data[sent:sent + size], end_stream=end and sent + size == len(data))
                    sent += size
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, h2.exceptions.FlowControlError):
                del self.pending[sid]
                continue
            if sent < len(data):
                self.pending[sid][0] = data[sent:]
            else:
                del self.pending[sid]
        self.flush()

    def flush(self):
        data = self.h2.data_to_send()
        while data and not self.closed:
            try:
                sent = self.sock.send(data)
                data = data[sent:]
            except BlockingIOError:
                select.select([], [self.sock], [], 0.05)
            except OSError:
                self.close()

    def receive(self):
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            return self.close()
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            return self.close()
        for event in events:
            if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)):
                fields = dict(event.headers)
                if "grpc-status" in fields:
                    self.outcome[event.stream_id] = fields.get("brsgd-reason", "status_" + fields["grpc-status"])
            elif isinstance(event, h2.events.StreamReset):
                self.outcome.setdefault(event.stream_id, "reset")
            elif isinstance(event, h2.events.DataReceived):
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.close()
        self.flush()

    def close(self):
        if not self.closed:
            self.closed = True
            self.sock.close()


def pump(connections, until, done):
    while time.time() < until and not done():
        live = [c for c in connections if not c.closed]
        if not live:
            return
        for c in live:
            c.send_pending()
        live = [c for c in live if not c.closed]
        readable, _, _ = select.select([c.sock for c in live], [], [], 0.05) if live else ([], [], [])
        for c in live:
            if not c.closed and c.sock in readable:
                c.receive()


def halfsent(args):
    connections, streams, outcomes = [], [], Counter()
    per = -(-args.streams // args.connections)
    body = framed(b"\0" * args.size)
    start = time.time()
    for i in range(args.connections):
        try:
            c = Connection(args.port)
        except OSError:
            outcomes["connect_failed"] += min(per, args.streams - len(streams))
            continue
        connections.append(c)
        for _ in range(min(per, args.streams - len(streams))):
            try:
                streams.append((c, c.open("SubmitGradient", body, end=False, hold_tail=1000)))
            except h2.exceptions.TooManyStreamsError:
                outcomes["not_opened"] += 1
        c.flush()
        pump(connections, time.time() + 0.01, lambda: False)
    pump(connections, start + args.seconds, lambda: all(sid in c.outcome or c.closed for c, sid in streams))
    for c, sid in streams:
        outcomes[c.outcome.get(sid, "connection_closed" if c.closed else "held")] += 1
    for c in connections:
        c.close()
    return {"streams": args.streams, "seconds": round(time.time() - start, 1), "answers": dict(outcomes)}


def garbage(args):
    c, outcomes, start = Connection(args.port), Counter(), time.time()
    probes = {
        "fetch_made_up_session": lambda: c.open("FetchRound", framed(field_varint(1, 0) + field_bytes(2, b"x" * 16))),
        "join_wrong_token": lambda: c.open("Join", framed(field_varint(1, 0) + field_bytes(2, b"wrong-token-0123456789")
                                                          + field_varint(3, 1))),
        "unknown_method": lambda: c.open("Leave", framed(b"")),
        "no_message": lambda: c.open("Join"),
        "two_messages": lambda: c.open("Join", framed(field_varint(3, 1)) * 2),
        "compressed": lambda: c.open("Join", framed(b"\x18\x01", compressed=True)),
        "short_message": lambda: c.open("Join", framed(b"\x18\x01\x08\x00")[:-2]),
    }
    for name, probe in probes.items():
        sent = []
        for i in range(args.count):
            while c.h2.open_outbound_streams >= 12:  # stay under the master's 16
                pump([c], time.time() + 0.05, lambda: False)
                if c.closed:
                    c = Connection(args.port)
            sent.append((c, probe()))
            c.flush()
        pump([c], time.time() + 10, lambda: all(sid in conn.outcome or conn.closed for conn, sid in sent))
        answers = Counter(conn.outcome.get(sid, "none") for conn, sid in sent)
        outcomes[name] = dict(answers)
    return {"seconds": round(time.time() - start, 1), "answers": outcomes}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["halfsent", "garbage"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--streams", type=int, default=1500)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(halfsent(args) if args.what == "halfsent" else garbage(args)), flush=True)


if __name__ == "__main__":
    main()
