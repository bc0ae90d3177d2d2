#!/usr/bin/env bash
# An abuse drill on loopback with real processes: a master and 4 honest workers train LeNet
# while an attacker without any token (Scripts/abuse_client.py, raw HTTP/2 through the
# Python `h2` package) sends 1,500 half-sent 1 MB SubmitGradient streams, then floods of
# malformed requests. Reports the master's memory (RSS), the round rate before, during and
# after each abuse, what the attacker was answered, how many refusals were logged, and
# whether the saved model equals brsgd train's byte for byte. Bounded: every phase stops by
# itself (the attacker after --seconds; the whole drill within about 10 minutes).
# Needs FashionMNIST (apt-get install dataset-fashion-mnist) and python3 with h2
# (python3 -m venv v && v/bin/pip install h2; then PYTHON=v/bin/python3).
#
#   Scripts/abuse-drill.sh [path/to/brsgd]      (default: .build-network/release/brsgd, which `make network`
#                                               builds, else .build/debug/brsgd, which `make test` builds)
#   MODEL=logistic BATCH=16 EPOCHS=3 Scripts/abuse-drill.sh .build/debug/brsgd   (a debug build: LeNet is too slow)
# The attacker's 1,000,000-byte messages are under the master's limit for any model (at least 1 MiB).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DEFAULT=.build-network/release/brsgd; [ -x "$DEFAULT" ] || DEFAULT=.build/debug/brsgd
BRSGD=$(realpath "${1:-$DEFAULT}")
PY=${PYTHON:-python3}
"$PY" -c 'import h2' || { echo "needs python3 with the h2 package (PYTHON=…)"; exit 2; }
WORK=$(mktemp -d /tmp/brsgd-abuse-drill.XXXXXX)
PORT=${PORT:-47290}; METRICS=${METRICS:-47291}
STREAMS=${STREAMS:-1500}; MODEL=${MODEL:-lenet}; BATCH=${BATCH:-32}; EPOCHS=${EPOCHS:-2}
cd "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for i in 0 1 2 3; do echo "$i abuse-drill-token-$i-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"; done > tokens
for i in 0 1 2 3; do sed -n "$((i + 1))p" tokens | cut -d' ' -f2 > token-$i; done
EXP=(--model "$MODEL" --workers 4 --rule brsgd --epochs "$EPOCHS" --batch-size "$BATCH" --lr 0.03 --seed 1 --test-subset 500
     --threads 1)

metric() {  # the value of one sample on /metrics
  "$PY" - "$METRICS" "$1" <<'PYEOF'
import sys, urllib.request
try:
    text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=2).read().decode()
except Exception:
    print(-1); sys.exit()
for line in text.splitlines():
    if line.startswith(sys.argv[2] + " "):
        print(line.split()[-1]); break
else:
    print(0)
PYEOF
}
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/"$MASTER"/status 2>/dev/null || echo 0; }
# rounds per second over $1 seconds, while sampling the master's peak RSS into PEAK
window() {
  local r0 r1 t0 t1 end
  r0=$(metric brsgd_rounds_total); t0=$(date +%s.%N); end=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$end" ]; do m=$(rss); [ "$m" -gt "$PEAK" ] && PEAK=$m; sleep 0.2; done
  r1=$(metric brsgd_rounds_total); t1=$(date +%s.%N)
  "$PY" -c "print(f'{($r1 - $r0) / ($t1 - $t0):.1f}')"
}

start=$(date +%s.%N)
"$BRSGD" train --quiet "${EXP[@]}" --save-model train.npy
echo "brsgd train: $("$PY" -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"

"$BRSGD" master --listen 127.0.0.1:$PORT --worker-tokens tokens --metrics-port $METRICS --round-timeout 30 \
  --save-model net.npy --output net.json --log-level notice "${EXP[@]}" 2> master.log & MASTER=$!; PIDS+=($MASTER)
for i in 0 1 2 3; do
  "$BRSGD" worker --master 127.0.0.1:$PORT --worker-id $i --token-file token-$i --log-level warning 2> worker$i.log &
  PIDS+=($!)
done
until [ "$(metric brsgd_rounds_total)" -ge 5 ] 2>/dev/null; do sleep 0.2; done
PEAK=0; BASE_RSS=$(rss)
RATE0=$(window 10)
echo "baseline: $RATE0 rounds/s, master RSS $BASE_RSS MB"

PEAK=$(rss)
"$PY" "$HERE/abuse_client.py" halfsent --port $PORT --streams "$STREAMS" --connections 100 --size 1000000 \
  --seconds 40 > halfsent.json & ATTACK=$!; PIDS+=($ATTACK)
RATE1=$(window 20)
wait $ATTACK || true
echo "during $STREAMS half-sent 1 MB streams without a token: $RATE1 rounds/s, master RSS peak $PEAK MB (+$((PEAK - BASE_RSS)) MB)"
echo "  attacker was answered: $(cat halfsent.json)"

PEAK=$(rss)
"$PY" "$HERE/abuse_client.py" garbage --port $PORT --count 200 > garbage.json & ATTACK=$!; PIDS+=($ATTACK)
RATE2=$(window 10)
wait $ATTACK || true
echo "during floods of 7 × 200 malformed requests: $RATE2 rounds/s, master RSS peak $PEAK MB"
echo "  attacker was answered: $(cat garbage.json)"
RATE3=$(window 10)
echo "after: $RATE3 rounds/s, master RSS $(rss) MB"
curl -s "http://127.0.0.1:$METRICS/metrics" 2>/dev/null | grep -E '^brsgd_(requests_refused|gradients_rejected)_total' \
  | grep -v ' 0$' > refused.txt || "$PY" -c "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:$METRICS/metrics').read().decode())" \
  | grep -E '^brsgd_(requests_refused|gradients_rejected)_total' | grep -v ' 0$' > refused.txt || true
echo "counted: $(tr '\n' ' ' < refused.txt)"

wait "$MASTER"
echo "refusal lines the master logged: $(grep -c 'refused' master.log || true) (every refusal is counted; each sender's reason is logged once per 10 s)"
grep -h "final test accuracy" master.log || true
if cmp -s train.npy net.npy; then echo "PASS: the model equals brsgd train's byte for byte ($WORK)"
else echo "FAIL: the models differ ($WORK)"; exit 1; fi
