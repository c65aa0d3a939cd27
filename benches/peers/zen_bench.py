"""zen-engine side of benches/peers/run.sh (issue #5).

    python zen_bench.py EVENTS.jsonl N [WARMUP]

Builds one JDM decision graph: inputNode -> decisionTableNode -> outputNode. The table has
hit policy "collect" (every matching row is returned, as every matching trigger fires),
three inputs (fields channel, tags, status) and N rows; row i is

    channel: "CHANNELS[i % 4]"    tags: contains($, "ti")    status: "new","open"

with output trigger = "ti". Reads the events written by benches/peers_workload.rs, runs
WARMUP of them untimed, then times `decision.evaluate(facts)` (the synchronous call) for
every event and prints

    ZEN triggers=N events=COUNT us_per_event=... fired=...

(fired = rows returned over the timed pass, to cross-check the matching), plus
engine_reported_us: the mean of zen's own `performance` field, i.e. the time inside the
Rust graph evaluation without the Python binding's cost around it, and p50_us: the median
time of one evaluate() call (the mean is sensitive to a busy machine).
"""

import json
import sys
import time

import zen

CHANNELS = ["whatsapp", "email", "web", "messenger"]


def to_us(text):
    """zen's own `performance` figure ("13.2µs", "1.1ms", "850ns", "1.2s") in µs."""
    for unit, factor in (("ns", 1e-3), ("µs", 1.0), ("us", 1.0), ("ms", 1e3), ("s", 1e6)):
        if text.endswith(unit):
            try:
                return float(text[: -len(unit)]) * factor
            except ValueError:
                return float("nan")
    return float("nan")


def graph(n):
    rules = [
        {
            "_id": f"r{i}",
            "i_channel": json.dumps(CHANNELS[i % 4]),
            "i_tags": f'contains($, "t{i}")',
            "i_status": '"new","open"',
            "o_trigger": json.dumps(f"t{i}"),
        }
        for i in range(n)
    ]
    table = {
        "hitPolicy": "collect",
        "inputs": [
            {"id": "i_channel", "name": "channel", "field": "channel"},
            {"id": "i_tags", "name": "tags", "field": "tags"},
            {"id": "i_status", "name": "status", "field": "status"},
        ],
        "outputs": [{"id": "o_trigger", "name": "trigger", "field": "trigger"}],
        "rules": rules,
    }
    pos = {"x": 0, "y": 0}
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "request", "position": pos},
            {"id": "dt", "type": "decisionTableNode", "name": "triggers", "position": pos, "content": table},
            {"id": "out", "type": "outputNode", "name": "response", "position": pos},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "dt", "type": "edge"},
            {"id": "e2", "sourceId": "dt", "targetId": "out", "type": "edge"},
        ],
    }


def main():
    if len(sys.argv) < 3:
        print("usage: python zen_bench.py EVENTS.jsonl N [WARMUP]", file=sys.stderr)
        sys.exit(2)
    path, n = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        events = [json.loads(line) for line in f if line.strip()]
    warmup = min(len(events), int(sys.argv[3]) if len(sys.argv) > 3 else 100)

    engine = zen.ZenEngine()
    decision = engine.create_decision(json.dumps(graph(n)))

    for facts in events[:warmup]:
        decision.evaluate(facts)
    fired = 0
    reported = []
    each = []
    clock = time.perf_counter
    start = prev = clock()
    for facts in events:
        out = decision.evaluate(facts)
        now = clock()
        each.append(now - prev)
        prev = now
        fired += len(out["result"])
        reported.append(out["performance"])
    us = (prev - start) * 1e6 / len(events)
    inner = sum(map(to_us, reported)) / len(reported)
    p50 = sorted(each)[len(each) // 2] * 1e6
    print(
        f"ZEN triggers={n} events={len(events)} us_per_event={us:.3f} fired={fired} "
        f"warmup={warmup} engine_reported_us={inner:.3f} p50_us={p50:.3f}"
    )


if __name__ == "__main__":
    main()
