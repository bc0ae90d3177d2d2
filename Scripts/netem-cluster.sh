#!/usr/bin/env bash
# brsgd master and m workers across emulated links, as in the paper's setup (50 Mbit/s,
# 50 ms RTT): the master in one network namespace, each worker in its own, each worker on
# its own veth link to the master. Reports the median round time against the floor the
# link allows, 2 · (RTT/2 + 4d bytes / rate) per round (the model down, the gradient up),
# and against the same run with the links unshaped (compute and protocol overhead).
#
# As root:  Scripts/netem-cluster.sh [path/to/brsgd]          (default .build-network/release/brsgd,
#           which `make network` builds: brsgd with its networked commands)
# Settings (environment): WORKERS=4 BYZANTINE=0 ATTACK=gaussian MODEL=lenet BATCH=16
#   RATE_MBIT=50 RTT_MS=50 EPOCHS=1 EXTRA="--test-subset 1000"
#
# The link is `tc netem delay RTT/2 rate RATE` on both ends of each veth. Where the kernel
# has no netem (`Specified qdisc kind is unknown`), the rate is shaped by `tbf` on both ends
# and the delay is added by Scripts/delay-relay.py in the master's namespace, in user space
# (the script says which it used).
set -euo pipefail
BRSGD=$(realpath "${1:-.build-network/release/brsgd}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORKERS=${WORKERS:-4} BYZANTINE=${BYZANTINE:-0} ATTACK=${ATTACK:-gaussian} MODEL=${MODEL:-lenet}
BATCH=${BATCH:-16} RATE_MBIT=${RATE_MBIT:-50} RTT_MS=${RTT_MS:-50} EPOCHS=${EPOCHS:-1}
EXTRA=${EXTRA:---test-subset 1000}
PORT=50051 RELAY_PORT=50052 NS=brsgdnet
WORK=$(mktemp -d /tmp/brsgd-netem.XXXXXX)
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces, tc)" >&2; exit 1; }
case $MODEL in lenet) D=61706 ;; mlp) D=159010 ;; logistic) D=7850 ;; *) echo "unknown MODEL" >&2; exit 1 ;; esac

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for i in $(seq 0 $((WORKERS - 1))); do ip netns del $NS-w$i 2>/dev/null || true; done
  ip netns del $NS-m 2>/dev/null || true
}
trap cleanup EXIT

HAVE_NETEM=1
ip link add $NS-probe0 type veth peer name $NS-probe1
tc qdisc add dev $NS-probe0 root netem delay 1ms 2>/dev/null || HAVE_NETEM=0
ip link del $NS-probe0

setup() {  # $1 = 1: shape the links
  local shape=$1 ns dev
  cleanup; PIDS=()
  ip netns add $NS-m; ip -n $NS-m link set lo up
  for i in $(seq 0 $((WORKERS - 1))); do
    ip netns add $NS-w$i; ip -n $NS-w$i link set lo up
    ip link add $NS-m$i type veth peer name $NS-w$i
    ip link set $NS-m$i netns $NS-m; ip link set $NS-w$i netns $NS-w$i
    ip -n $NS-m addr add 10.78.$i.1/24 dev $NS-m$i; ip -n $NS-m link set $NS-m$i up
    ip -n $NS-w$i addr add 10.78.$i.2/24 dev $NS-w$i; ip -n $NS-w$i link set $NS-w$i up
    if [ "$shape" = 1 ]; then
      for end in "$NS-m:$NS-m$i" "$NS-w$i:$NS-w$i"; do
        ns=${end%%:*} dev=${end#*:}
        if [ $HAVE_NETEM = 1 ]; then
          ip netns exec "$ns" tc qdisc add dev "$dev" root netem delay $((RTT_MS / 2))ms rate ${RATE_MBIT}mbit limit 100000
        else
          ip netns exec "$ns" tc qdisc add dev "$dev" root tbf rate ${RATE_MBIT}mbit burst 10kb latency 500ms
        fi
      done
    fi
  done
}

run() {  # $1 = label, $2 = 1: shaped
  local label=$1 shaped=$2 address
  setup "$shaped"
  printf 'netem-cluster-token-0123456789\n' > "$WORK/token"
  ip netns exec $NS-m "$BRSGD" master --listen 0.0.0.0:$PORT --token-file "$WORK/token" --model $MODEL \
    --workers $WORKERS --byzantine $BYZANTINE --attack $ATTACK --epochs $EPOCHS --batch-size $BATCH --threads 1 \
    --round-timeout 120 --log-level debug --output "$WORK/$label.json" $EXTRA 2> "$WORK/$label-master.log" &
  local master=$!; PIDS+=($master)
  for i in $(seq 0 $((WORKERS - 1))); do
    address=10.78.$i.1:$PORT
    if [ "$shaped" = 1 ] && [ $HAVE_NETEM = 0 ]; then
      ip netns exec $NS-m python3 "$HERE/delay-relay.py" 10.78.$i.1:$RELAY_PORT 127.0.0.1:$PORT $((RTT_MS / 2)) &
      PIDS+=($!); address=10.78.$i.1:$RELAY_PORT
    fi
    local attack=(); [ "$i" -lt "$BYZANTINE" ] && attack=(--attack $ATTACK)
    ip netns exec $NS-w$i "$BRSGD" worker --master $address --worker-id $i --token-file "$WORK/token" \
      "${attack[@]}" --log-level warning 2> "$WORK/$label-worker$i.log" &
    PIDS+=($!)
  done
  wait $master
  grep -o 'round=[0-9]* seconds=[0-9.e-]*' "$WORK/$label-master.log" | sed 's/.*seconds=//' > "$WORK/$label-rounds.txt"
}

median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

run loopback 0
run link 1
LOOP=$(median "$WORK/loopback-rounds.txt")
LINK=$(median "$WORK/link-rounds.txt")
ROUNDS=$(wc -l < "$WORK/link-rounds.txt")
FLOOR=$(python3 -c "print(2 * ($RTT_MS / 2000 + 4 * $D * 8 / ($RATE_MBIT * 1e6)))")
echo "brsgd over emulated links: $MODEL (d = $D, $((4 * D)) bytes a tensor), m = $WORKERS, batch $BATCH, $ROUNDS rounds"
if [ $HAVE_NETEM = 1 ]; then echo "links: tc netem delay $((RTT_MS / 2)) ms + rate $RATE_MBIT Mbit/s on both ends"
else echo "links: tbf $RATE_MBIT Mbit/s on both ends (kernel) + $((RTT_MS / 2)) ms each way in user space (no netem in this kernel)"; fi
python3 - "$LOOP" "$LINK" "$FLOOR" <<'PY'
import sys
loop, link, floor = map(float, sys.argv[1:])
print(f"median round time, unshaped links:  {loop * 1000:8.1f} ms (compute, aggregation, protocol)")
print(f"median round time, emulated links:  {link * 1000:8.1f} ms")
print(f"floor the link allows (no compute): {floor * 1000:8.1f} ms  = RTT + 2 tensors at the link rate")
print(f"link time beyond the unshaped run:  {(link - loop) * 1000:8.1f} ms = {(link - loop) / floor:.2f} x the floor")
PY
echo "logs and run records: $WORK"
