#!/usr/bin/env bash
# ticket-rules against its peers, side by side, in one go (issue #5).
#
#   benches/peers/run.sh [--quick] [--keep]
#
# Installs json-rules-engine (npm) and zen-engine + presidio-analyzer (PyPI, in a venv)
# into a temporary folder (never into the repo), writes one shared workload with
# benches/peers_workload.rs, runs it through ticket-rules (in-process), json-rules-engine
# and zen-engine, and prints µs/event and the ratios for 10, 1,000 and 7,000 triggers;
# then redaction MB/s of ticket-rules (in-process and whole-process `ticket-rules redact`)
# against Presidio's CreditCardRecognizer on the same files. See README.md.
#
#   --quick   few events and small files: a smoke test of the whole chain (~1 min)
#   --keep    keep the temporary folder (printed at the start) instead of deleting it
#
# Environment: JRE_SPEC (default json-rules-engine@7), ZEN_SPEC (default zen-engine==2.1.*),
# PRESIDIO_SPEC (default presidio-analyzer), COUNTS (N=EVENTS,… overrides the event counts).
# A peer that cannot be installed or run is reported as such and the others still run.
set -euo pipefail

QUICK=0
KEEP=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
JRE_SPEC="${JRE_SPEC:-json-rules-engine@7}"
ZEN_SPEC="${ZEN_SPEC:-zen-engine==2.1.*}"
PRESIDIO_SPEC="${PRESIDIO_SPEC:-presidio-analyzer}"

if [[ $QUICK == 1 ]]; then
    COUNTS="${COUNTS:-10=2000,1000=200,7000=100}"
    WARMUP=20; REPEATS=3; REDACT_MB=2; PRESIDIO_BYTES=300000; WHOLE_RUNS=2
else
    COUNTS="${COUNTS:-10=20000,1000=2000,7000=2000}"
    WARMUP=100; REPEATS=5; REDACT_MB=32; PRESIDIO_BYTES=4000000; WHOLE_RUNS=3
fi

say() { printf '== %s\n' "$*"; }
warn() { printf 'run.sh: %s\n' "$*" >&2; }

# --- required tools -------------------------------------------------------------------
for tool in cargo python3; do
    command -v "$tool" >/dev/null 2>&1 || { warn "'$tool' not found on PATH; it is required"; exit 1; }
done
HAVE_NODE=1
for tool in node npm; do
    command -v "$tool" >/dev/null 2>&1 || { warn "'$tool' not found: json-rules-engine is skipped"; HAVE_NODE=0; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ticket-rules-peers.XXXXXX")"
cleanup() { if [[ $KEEP == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
RESULTS="$WORK/results.txt"
DATA="$WORK/data"
mkdir -p "$DATA"
: > "$RESULTS"

say "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || uname -m)"
say "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime) (1/5/15 min, at start)"
say "mode:    $([[ $QUICK == 1 ]] && echo quick || echo full); events per trigger count: $COUNTS; temp: $WORK"

# --- install the peers (temporary folder only) ------------------------------------------
JRE_OK=0; ZEN_OK=0; PRESIDIO_OK=0
if [[ $HAVE_NODE == 1 ]]; then
    say "npm install $JRE_SPEC"
    mkdir -p "$WORK/npm"
    if (cd "$WORK/npm" && npm init -y >/dev/null && npm install --no-audit --no-fund "$JRE_SPEC") >"$WORK/npm.log" 2>&1; then
        JRE_OK=1
        echo "VERSION json-rules-engine $(cd "$WORK/npm" && node -p "require('json-rules-engine/package.json').version") (node $(node --version))" | tee -a "$RESULTS"
    else
        warn "npm install $JRE_SPEC failed; json-rules-engine is skipped. Last lines of the log:"
        tail -n 15 "$WORK/npm.log" >&2 || true
        echo "SKIP json-rules-engine npm install failed" >> "$RESULTS"
    fi
else
    echo "SKIP json-rules-engine node/npm not found" >> "$RESULTS"
fi

PY="$WORK/venv/bin/python"
say "python3 -m venv + pip install $ZEN_SPEC, $PRESIDIO_SPEC"
if python3 -m venv "$WORK/venv" >"$WORK/venv.log" 2>&1; then
    if "$PY" -m pip install --disable-pip-version-check -q "$ZEN_SPEC" >"$WORK/pip-zen.log" 2>&1; then
        ZEN_OK=1
        echo "VERSION zen-engine $("$PY" -m pip show zen-engine 2>/dev/null | sed -n 's/^Version: //p') ($("$PY" --version))" | tee -a "$RESULTS"
    else
        warn "pip install $ZEN_SPEC failed; zen-engine is skipped. Last lines of the log:"
        tail -n 15 "$WORK/pip-zen.log" >&2 || true
        echo "SKIP zen-engine pip install failed" >> "$RESULTS"
    fi
    if "$PY" -m pip install --disable-pip-version-check -q "$PRESIDIO_SPEC" >"$WORK/pip-presidio.log" 2>&1 \
        && "$PY" -c 'from presidio_analyzer.predefined_recognizers import CreditCardRecognizer; CreditCardRecognizer()' >>"$WORK/pip-presidio.log" 2>&1; then
        PRESIDIO_OK=1
        echo "VERSION presidio-analyzer $("$PY" -m pip show presidio-analyzer 2>/dev/null | sed -n 's/^Version: //p') (CreditCardRecognizer only)" | tee -a "$RESULTS"
    else
        warn "presidio-analyzer (CreditCardRecognizer) could not be installed or loaded; Presidio is skipped. Last lines of the log:"
        tail -n 15 "$WORK/pip-presidio.log" >&2 || true
        echo "SKIP presidio: presidio-analyzer could not be installed or its CreditCardRecognizer not loaded, so there is no Presidio figure" >> "$RESULTS"
    fi
else
    warn "python3 -m venv failed (is python3-venv installed?); zen-engine and Presidio are skipped:"
    tail -n 5 "$WORK/venv.log" >&2 || true
    echo "SKIP zen-engine no venv" >> "$RESULTS"
    echo "SKIP presidio: no venv, so there is no Presidio figure" >> "$RESULTS"
fi

# --- ticket-rules: build, write the workload, time in-process ---------------------------
say "cargo build --release --bin ticket-rules; cargo bench --bench peers_workload"
if ! (cd "$REPO" && cargo build --release --bin ticket-rules && cargo bench --bench peers_workload --no-run) >"$WORK/cargo.log" 2>&1; then
    warn "building ticket-rules failed:"; tail -n 30 "$WORK/cargo.log" >&2; exit 1
fi
TR_BIN="$REPO/target/release/ticket-rules"
[[ -n "${CARGO_TARGET_DIR:-}" ]] && TR_BIN="$CARGO_TARGET_DIR/release/ticket-rules"
(cd "$REPO" && cargo bench -q --bench peers_workload -- --dir "$DATA" --counts "$COUNTS" \
    --repeats "$REPEATS" --redact-mb "$REDACT_MB" --sample-bytes "$PRESIDIO_BYTES") 2>>"$WORK/cargo.log" | tee -a "$RESULTS"

# --- the trigger peers ------------------------------------------------------------------
IFS=',' read -r -a PAIRS <<< "$COUNTS"
for pair in "${PAIRS[@]}"; do
    n="${pair%%=*}"
    events="$DATA/events-$n.jsonl"
    if [[ $JRE_OK == 1 ]]; then
        say "json-rules-engine, $n triggers"
        NODE_PATH="$WORK/npm/node_modules" node "$HERE/jre.js" "$events" "$n" "$WARMUP" 2>"$WORK/jre-$n.err" | tee -a "$RESULTS" \
            || { warn "json-rules-engine failed at $n triggers:"; tail -n 5 "$WORK/jre-$n.err" >&2; echo "FAIL JRE triggers=$n" >> "$RESULTS"; }
    fi
    if [[ $ZEN_OK == 1 ]]; then
        say "zen-engine, $n triggers"
        "$PY" "$HERE/zen_bench.py" "$events" "$n" "$WARMUP" 2>"$WORK/zen-$n.err" | tee -a "$RESULTS" \
            || { warn "zen-engine failed at $n triggers:"; tail -n 5 "$WORK/zen-$n.err" >&2; echo "FAIL ZEN triggers=$n" >> "$RESULTS"; }
    fi
done

# --- redaction: whole-process ticket-rules redact, then Presidio -------------------------
for f in chat.txt digits.txt; do
    say "whole-process: ticket-rules redact < $f > /dev/null (best of $WHOLE_RUNS)"
    if ! python3 - "$TR_BIN" "$DATA/$f" "$WHOLE_RUNS" <<'PYEOF' | tee -a "$RESULTS"
import os, subprocess, sys, time
binary, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = os.path.getsize(path)
best = float("inf")
for _ in range(runs):
    with open(path, "rb") as src, open(os.devnull, "wb") as dst:
        start = time.perf_counter()
        subprocess.run([binary, "redact"], stdin=src, stdout=dst, check=True)
        best = min(best, time.perf_counter() - start)
print(f"WHOLE file={os.path.basename(path)} bytes={size} mb_per_s={size / 1e6 / best:.1f} runs={runs}")
PYEOF
    then
        warn "ticket-rules redact failed on $f"; echo "FAIL WHOLE file=$f" >> "$RESULTS"
    fi
    if [[ $PRESIDIO_OK == 1 ]]; then
        say "Presidio CreditCardRecognizer on the first $PRESIDIO_BYTES bytes of $f"
        "$PY" "$HERE/presidio_cc.py" "$DATA/$f" "$PRESIDIO_BYTES" 2>"$WORK/presidio.err" | tee -a "$RESULTS" \
            || { warn "Presidio failed on $f:"; tail -n 5 "$WORK/presidio.err" >&2; echo "FAIL PRESIDIO file=$f" >> "$RESULTS"; }
    fi
done

echo "LOAD end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" >> "$RESULTS"
echo
python3 "$HERE/report.py" "$RESULTS"
