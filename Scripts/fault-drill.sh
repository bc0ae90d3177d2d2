#!/usr/bin/env bash
# A fault drill on loopback with real processes: train with a master and 4 workers (one
# Byzantine), kill -9 the master and one worker mid-run, restart the master with --resume
# and the worker by hand; the other workers reconnect by themselves. The saved model must
# equal brsgd train's byte for byte. Needs FashionMNIST (apt-get install dataset-fashion-mnist).
#
#   Scripts/fault-drill.sh [path/to/brsgd]      (default: .build/debug/brsgd)
set -euo pipefail
BRSGD=$(realpath "${1:-.build/debug/brsgd}")
WORK=$(mktemp -d /tmp/brsgd-fault-drill.XXXXXX)
PORT=${PORT:-47190}
cd "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
printf 'fault-drill-token-0123456789\n' > token
EXP=(--model logistic --workers 4 --byzantine 1 --attack gaussian --rule brsgd --epochs 1 --batch-size 200
     --lr 0.05 --seed 9 --test-subset 500 --threads 1)
SERVE=(--listen 127.0.0.1:$PORT --token-file token --checkpoint ck.json --checkpoint-every 10 --round-timeout 3
       --save-model net.npy --output net.json --log-level notice)
round() { python3 -c "import json;print(json.load(open('ck.json'))['round'])" 2>/dev/null || echo 0; }

"$BRSGD" train --quiet "${EXP[@]}" --save-model train.npy
"$BRSGD" master "${SERVE[@]}" "${EXP[@]}" 2> master1.log & MASTER=$!; PIDS+=($MASTER)
for i in 0 1 2 3; do
  extra=(); [ "$i" = 0 ] && extra=(--attack gaussian)
  "$BRSGD" worker --master 127.0.0.1:$PORT --worker-id $i --token-file token "${extra[@]}" --log-level notice \
    2> worker$i.log & PIDS+=($!); WORKER[$i]=$!
done
until [ "$(round)" -ge 30 ]; do sleep 0.1; done
kill -9 "$MASTER" "${WORKER[2]}"
echo "killed the master and worker 2 (kill -9) after the checkpoint of round $(round)"
sleep 2
"$BRSGD" master "${SERVE[@]}" "${EXP[@]}" --resume 2> master2.log & MASTER=$!; PIDS+=($MASTER)
sleep 2
"$BRSGD" worker --master 127.0.0.1:$PORT --worker-id 2 --token-file token --log-level notice 2> worker2b.log & PIDS+=($!)
wait "$MASTER"
grep -h "resumed\|final test accuracy" master2.log
if cmp -s train.npy net.npy; then echo "PASS: the resumed networked model equals brsgd train's byte for byte ($WORK)"
else echo "FAIL: models differ ($WORK)"; exit 1; fi
