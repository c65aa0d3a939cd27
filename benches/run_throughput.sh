#!/usr/bin/env bash
# Whole-process `ticket-rules run` throughput and peak memory (issue #5):
# 1,000 triggers of the peers' shape and N simple `ticket.created` events
# (channel, status new|open, 3 random tags), written to a temporary folder.
#
#   benches/run_throughput.sh [N]        (default N = 1000000)
#
# Prints wall time, events/s and peak RSS (GNU time's %M) for two runs.
set -euo pipefail
N="${1:-1000000}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 - "$TMP" "$N" <<'PY'
import json, random, sys
out, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
ch = ["whatsapp", "email", "web", "messenger"]
with open(f"{out}/rules.rules", "w") as f:
    for i in range(1000):
        f.write(f'trigger "t{i}" {{\n  when all {{\n    channel is {ch[i % 4]}\n    tags includes t{i}\n    status in [new, open]\n  }}\n  then {{\n    add tags hit\n  }}\n}}\n')
with open(f"{out}/events.jsonl", "w") as f:
    for i in range(n):
        tags = [f"t{random.randrange(1000)}" for _ in range(3)]
        f.write(json.dumps({"type": "ticket.created", "id": f"e{i}", "at": "2026-11-24T09:00:00Z",
                            "ticket": {"id": f"T-{i}", "channel": random.choice(ch),
                                       "status": random.choice(["new", "open"]), "tags": tags}},
                           separators=(",", ":")) + "\n")
PY
cargo build --release --quiet --manifest-path "$REPO/Cargo.toml"
BIN="$REPO/target/release/ticket-rules"
for run in 1 2; do
    /usr/bin/time -f "%e %M" -o "$TMP/time" "$BIN" run --rules "$TMP/rules.rules" \
        --events "$TMP/events.jsonl" --no-default-rules > /dev/null 2> "$TMP/stderr" || true
    read -r secs kb < "$TMP/time"
    python3 -c "import sys; s=float(sys.argv[1]); n=int(sys.argv[2]); kb=int(sys.argv[3]); print(f'run {sys.argv[4]}: {n} events in {s:.2f} s = {n/s:,.0f} events/s; peak RSS {kb/1024:,.0f} MiB')" "$secs" "$N" "$kb" "$run"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
