#!/usr/bin/env bash
# The app on Flower's Deployment Engine, on this machine: a SuperLink and N SuperNodes on
# loopback (separate processes, --insecure), then `flwr run` of this app against them, once
# per --run-config given, in the same deployment. Everything it starts is stopped on exit.
#
#   bash run-deployment.sh [--nodes 8] [--byzantine 3] [--timeout 900] [--keep-logs DIR]
#                          [--run-config 'strategy="median" num-server-rounds=5'] …
#
# Nodes 0 … byzantine−1 start with --node-config 'byzantine=true'. Each --run-config is
# passed to `flwr run` (with num-nodes=N added, so the ServerApp waits for every node).
# flwr, flower-superlink and flower-supernode are taken from PATH; brsgd, numpy and (for
# fashion-mnist) torch must be installed in that same environment: runtime dependency
# installation is off (SuperLink: --disable-runtime-dependency-installation; SuperNodes do
# not install unless --allow-runtime-dependency-installation).
# FLWR_HOME is a temporary directory (its config.toml names the SuperLink), so the user's
# ~/.flwr is left alone.
set -euo pipefail
cd "$(dirname "$0")"
nodes=8 byzantine=3 timeout=900 keep="" runs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --byzantine) byzantine=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --keep-logs) keep=$2; shift 2 ;;
    --run-config) runs+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#runs[@]} -gt 0 ] || runs=("")
for tool in flwr flower-superlink flower-supernode; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not on PATH (pip install 'flwr==1.42.0')" >&2; exit 1; }
done
python=$(dirname "$(command -v flwr)")/python
work=$(mktemp -d)
export FLWR_HOME="$work/flwr-home"
mkdir -p "$FLWR_HOME"
pids=()
cleanup() {
  status=$?
  # Each process was started in its own session (setsid): its group holds the SuperExec
  # and the app processes it spawned.
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$work"/*.log "$keep"/ 2>/dev/null || true; fi
  if [ $status -ne 0 ]; then
    echo "--- the last lines of each log (in $work) ---" >&2
    for log in "$work"/*.log; do echo "== $log" >&2; tail -n 15 "$log" >&2; done
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT INT TERM

# Free loopback ports: one for the SuperLink, one per SuperNode (its ClientAppIo API).
read -r -a ports <<<"$("$python" - "$((nodes + 1))" <<'PY'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
)"
link_port=${ports[0]}
cat >"$FLWR_HOME/config.toml" <<TOML
[superlink]
default = "deployment"

[superlink.deployment]
address = "127.0.0.1:$link_port"
insecure = true
TOML

setsid flower-superlink --insecure --isolation subprocess --host 127.0.0.1 --port "$link_port" \
  --disable-runtime-dependency-installation >"$work/superlink.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  if "$python" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$link_port/health', timeout=1)" 2>/dev/null; then break; fi
  kill -0 "${pids[0]}" 2>/dev/null || { echo "error: flower-superlink exited" >&2; exit 1; }
  sleep 0.2
done
echo "SuperLink on 127.0.0.1:$link_port (FLWR_HOME=$FLWR_HOME)"

for ((i = 0; i < nodes; i++)); do
  byz=false; [ "$i" -lt "$byzantine" ] && byz=true
  setsid flower-supernode --insecure --superlink "127.0.0.1:$link_port" --port "${ports[$((i + 1))]}" \
    --node-config "partition-id=$i num-partitions=$nodes byzantine=$byz" >"$work/supernode-$i.log" 2>&1 &
  pids+=($!)
done
echo "$nodes SuperNodes ($byzantine Byzantine), ClientAppIo ports ${ports[*]:1}"

for run in "${runs[@]}"; do
  echo "flwr run . deployment --run-config 'num-nodes=$nodes $run'"
  start=$(date +%s)
  timeout "$timeout" flwr run . deployment --stream --run-config "num-nodes=$nodes $run" >"$work/run.log" 2>&1 || {
    cat "$work/run.log"; echo "error: flwr run failed or took over $timeout s" >&2; exit 1; }
  cat "$work/run.log"
  grep -q "Strategy execution finished" "$work/run.log" || { echo "error: the run did not finish" >&2; exit 1; }
  echo "run finished in $(( $(date +%s) - start )) s"
done
