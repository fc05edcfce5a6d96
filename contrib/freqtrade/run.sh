#!/usr/bin/env bash
# Reproduce the freqtrade runs of docs/freqtrade.md.
#
#   contrib/freqtrade/run.sh [OUT_DIR]
#
# FREQTRADE_PYTHON: a Python with freqtrade installed (default /work/throwaway-freqtrade/bin/python)
# PERPSPEC_PYTHON:  a Python with perpspec's dependencies (default .venv/bin/python)
# Run from the repository root. Writes, per exchange, the kit's --json report, the adapter's
# raw answers and classify.py's explanation into OUT_DIR (default /tmp/perpspec-freqtrade),
# then one fuzz run per exchange and seed; prints the summaries.
set -u
cd "$(dirname "$0")/../.."
FREQTRADE_PYTHON=${FREQTRADE_PYTHON:-/work/throwaway-freqtrade/bin/python}
PERPSPEC_PYTHON=${PERPSPEC_PYTHON:-.venv/bin/python}
OUT=${1:-/tmp/perpspec-freqtrade}
VECTORS=vectors/position_prices.jsonl
ADAPTER=contrib/freqtrade/perpspec_freqtrade.py
mkdir -p "$OUT"
export PYTHONPATH=$PWD

"$FREQTRADE_PYTHON" -c 'import freqtrade, ccxt; print("freqtrade", freqtrade.__version__, "ccxt", ccxt.__version__)'
date -u

conform() {  # conform NAME ADAPTER-ARGS...
    local name=$1
    shift
    "$PERPSPEC_PYTHON" -m perpspec.cli conform --timeout 60 --json \
        --cmd "$FREQTRADE_PYTHON $ADAPTER $*" "$VECTORS" >"$OUT/$name.json"
    "$FREQTRADE_PYTHON" "$ADAPTER" "$@" <"$VECTORS" >"$OUT/$name.answers"
    "$PERPSPEC_PYTHON" -c 'import json, sys; r = json.load(open(sys.argv[1]));
print(sys.argv[2], "kit verdict:", r["ops"], "protocol errors:", len(r["protocol_errors"]))' \
        "$OUT/$name.json" "$name"
    "$PERPSPEC_PYTHON" contrib/freqtrade/classify.py --report "$OUT/$name.json" \
        --answers "$OUT/$name.answers" "$VECTORS" >"$OUT/$name.txt"
    grep '^\[' "$OUT/$name.txt"
}

for exchange in binance bybit okx gate bitget; do
    echo "== $exchange (liquidation_buffer 0)"
    conform "$exchange" --exchange "$exchange" --liquidation-buffer 0
done
echo "== binance (freqtrade's default liquidation_buffer, 0.05)"
conform binance-default-buffer --exchange binance

echo "== ccxt: binance.parse_account_position"
"$PERPSPEC_PYTHON" -m perpspec.cli conform --timeout 60 --json \
    --cmd "$FREQTRADE_PYTHON contrib/freqtrade/perpspec_ccxt.py" "$VECTORS" >"$OUT/ccxt.json"
"$FREQTRADE_PYTHON" contrib/freqtrade/perpspec_ccxt.py <"$VECTORS" >"$OUT/ccxt.answers"
"$PERPSPEC_PYTHON" contrib/freqtrade/classify.py --report "$OUT/ccxt.json" \
    --answers "$OUT/ccxt.answers" "$VECTORS" >"$OUT/ccxt.txt"
grep '^\[' "$OUT/ccxt.txt"

# The other ops: each answered with an error saying freqtrade does not compute it.
"$PERPSPEC_PYTHON" -m perpspec.cli conform --timeout 60 --json \
    --cmd "$FREQTRADE_PYTHON $ADAPTER --exchange binance" vectors/ >"$OUT/all-ops.json"
"$PERPSPEC_PYTHON" -c 'import json, sys; print("all ops:", json.load(open(sys.argv[1]))["ops"])' \
    "$OUT/all-ops.json"

# --fuzz: stops at the first disagreement and shrinks it.
for exchange in binance bybit okx gate bitget; do
    echo "== fuzz $exchange seed 1"
    rm -f "$OUT/fuzz-$exchange.jsonl"
    "$PERPSPEC_PYTHON" -m perpspec.cli conform --timeout 60 \
        --cmd "$FREQTRADE_PYTHON $ADAPTER --exchange $exchange --liquidation-buffer 0" \
        --fuzz 200 --seed 1 --op position_prices --save "$OUT/fuzz-$exchange.jsonl" | head -1
done

# The fuzzer's 200 inputs (seed 1) without stopping, every one classified.
"$PERPSPEC_PYTHON" contrib/freqtrade/random_cases.py --count 200 --seed 1 >"$OUT/random.jsonl"
for exchange in binance bybit okx gate bitget; do
    echo "== random (fuzz strategy, seed 1, 200 inputs) $exchange"
    "$PERPSPEC_PYTHON" -m perpspec.cli conform --timeout 60 --json \
        --cmd "$FREQTRADE_PYTHON $ADAPTER --exchange $exchange --liquidation-buffer 0" \
        "$OUT/random.jsonl" >"$OUT/random-$exchange.json"
    "$PERPSPEC_PYTHON" contrib/freqtrade/classify.py --report "$OUT/random-$exchange.json" \
        "$OUT/random.jsonl" >"$OUT/random-$exchange.txt"
    grep '^\[' "$OUT/random-$exchange.txt"
done
echo "== random (fuzz strategy, seed 1, 200 inputs) ccxt"
"$PERPSPEC_PYTHON" -m perpspec.cli conform --timeout 60 --json \
    --cmd "$FREQTRADE_PYTHON contrib/freqtrade/perpspec_ccxt.py" "$OUT/random.jsonl" \
    >"$OUT/random-ccxt.json"
"$PERPSPEC_PYTHON" contrib/freqtrade/classify.py --report "$OUT/random-ccxt.json" \
    "$OUT/random.jsonl" >"$OUT/random-ccxt.txt"
grep '^\[' "$OUT/random-ccxt.txt"
