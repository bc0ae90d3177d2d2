#!/usr/bin/env bash
# The networked master's peak memory at m = 100 workers and d = 10⁷ parameters (a 4.0 GB
# gradient matrix), measured: `brsgd master --parameters` serves a vector of d zeros for a few
# rounds to Scripts/master_memory_client.py, one process holding m worker sessions (one TCP
# connection each) that fetch every round's model and upload m gradients of d float32 per
# round. The master runs under /usr/bin/time -v; its peak resident set size ("Maximum resident
# set size", the kernel's high-water mark of the process) is printed as a multiple of the
# matrix, m·d·4 bytes. The client's own memory is not counted (it is another process).
#
#   Scripts/measure-master-memory.sh [path/to/brsgd]    (default .build-network/release/brsgd:
#       swift build -c release --product brsgd --traits Networking --scratch-path .build-network)
#   M=20 D=1000000 ROUNDS=2 Scripts/measure-master-memory.sh     (a smaller run)
#
# Settings (environment): M (100), D (10000000), ROUNDS (3), RULE (brsgd), CONCURRENCY (M: calls
# of each kind the client has in flight at once), PORT (47390), LOG_LEVEL (warning), KEEP_LOG (a
# file to copy the master's standard error to), PYTHON (python3 with grpcio, protobuf and numpy,
# e.g. the venv of Scripts/test-python.sh: PYTHON=/tmp/brsgd-test-venv/bin/python).
# Needs free memory for the master and the client's uploads in flight: about 2.5 × the matrix
# (10 GB) with this master, about 4 × (16 GB) with one that copies as the master before
# `master-memory` did. Takes 2–3 minutes on 2 cores (release build). Prints the master's peak
# RSS, the ratio, the load average before and after, the client's JSON line (every upload
# should be accepted) and the master's count of refusals.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BRSGD=$(realpath "${1:-.build-network/release/brsgd}")
PY=${PYTHON:-python3}
M=${M:-100}; D=${D:-10000000}; ROUNDS=${ROUNDS:-3}; RULE=${RULE:-brsgd}; CONCURRENCY=${CONCURRENCY:-$M}
PORT=${PORT:-47390}
"$PY" -c 'import grpc, google.protobuf, numpy' || { echo "needs python3 with grpcio, protobuf and numpy (PYTHON=…)"; exit 2; }
WORK=$(mktemp -d /tmp/brsgd-master-memory.XXXXXX)
MASTER=""
cleanup() { [ -n "$MASTER" ] && kill "$MASTER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$PY" -c "import numpy as np; np.save('$WORK/init.npy', np.zeros($D, dtype=np.float32))"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v -o "$WORK/time.txt" "$BRSGD" master --parameters "$WORK/init.npy" --rounds "$ROUNDS" \
  --workers "$M" --rule "$RULE" --lr 0.01 --round-timeout 600 --start-timeout 600 \
  --listen "127.0.0.1:$PORT" --log-level "${LOG_LEVEL:-warning}" --save-model "$WORK/final.npy" > "$WORK/master.out" 2> "$WORK/master.err" &
MASTER=$!
start=$(date +%s)
"$PY" "$HERE/master_memory_client.py" --port "$PORT" --workers "$M" --rounds "$ROUNDS" --concurrency "$CONCURRENCY"
wait "$MASTER" || { echo "the master failed:"; tail -20 "$WORK/master.err"; exit 1; }
MASTER=""
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - start )) s"
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
"$PY" - "$peak_kb" "$M" "$D" <<'PYEOF'
import sys
peak, m, d = int(sys.argv[1]) * 1024, int(sys.argv[2]), int(sys.argv[3])
matrix = m * d * 4
print(f"master peak RSS {peak / 1e9:.2f} GB = {peak / matrix:.3f} × the {matrix / 1e9:.2f} GB matrix (m = {m}, d = {d})")
PYEOF
grep -i "refused" "$WORK/master.err" | tail -1 || true
[ -n "${KEEP_LOG:-}" ] && cp "$WORK/master.err" "$KEEP_LOG"
exit 0
