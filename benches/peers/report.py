"""Turns the result lines of benches/peers/run.sh into the two tables (stdlib only).

    python3 report.py RESULTS.txt
"""

import sys


def parse(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            kv = {}
            for p in parts[1:]:
                if "=" in p:
                    k, v = p.split("=", 1)
                    kv[k] = v
            rows.append((parts[0], kv, line.rstrip("\n")))
    return rows


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def fmt_us(x):
    if x is None:
        return "—"
    return f"{x:,.2f}" if x < 100 else f"{x:,.0f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:,.0f}×" if r >= 10 else f"{r:.1f}×"


def mbps(x):
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def main():
    rows = parse(sys.argv[1])
    for tag, _, line in rows:
        if tag in ("VERSION", "SKIP", "FAIL"):
            print(line)
    print()

    by = {}
    for tag, kv, _ in rows:
        if tag in ("TR", "JRE", "ZEN"):
            by.setdefault(int(kv["triggers"]), {})[tag] = kv
    print("Triggers, in-process, µs per event (same events on every side)")
    print()
    print("| triggers | events | ticket-rules | json-rules-engine | zen-engine "
          "| jre / ticket-rules | zen / ticket-rules | median call: jre / zen | zen's own figure "
          "| firings tr / jre / zen |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    mismatch = []
    for n in sorted(by):
        r = by[n]
        tr, jre, zen = (num(r.get(k, {}).get("us_per_event")) for k in ("TR", "JRE", "ZEN"))
        inner = num(r.get("ZEN", {}).get("engine_reported_us"))
        events = r.get("TR", {}).get("events", "?")
        fired = [r.get(k, {}).get("fired", "—") for k in ("TR", "JRE", "ZEN")]
        present = {f for f in fired if f != "—"}
        if len(present) > 1:
            mismatch.append(n)
        jre50, zen50 = (num(r.get(k, {}).get("p50_us")) for k in ("JRE", "ZEN"))
        print(f"| {n:,} | {int(events):,} | {fmt_us(tr)} | {fmt_us(jre)} | {fmt_us(zen)} "
              f"| {ratio(jre, tr)} | {ratio(zen, tr)} | {fmt_us(jre50)} / {fmt_us(zen50)} | {fmt_us(inner)} "
              f"| {' / '.join(fired)} |")
    if mismatch:
        print(f"\nWARNING: the engines disagree on the number of firings at {mismatch} triggers")
    print()

    red = {}
    for tag, kv, _ in rows:
        if tag == "REDACT":
            red.setdefault(kv["file"], {})["in_" + kv["mode"]] = kv
        elif tag == "WHOLE":
            red.setdefault(kv["file"], {})["whole_process"] = kv
        elif tag == "SAMPLE":
            red.setdefault(kv["file"], {})["sample"] = kv
        elif tag == "PRESIDIO":
            red.setdefault(kv["file"], {})["pr_" + kv["mode"]] = kv
    print("Redaction, MB/s (MB = 10^6 bytes of input)")
    print()
    print("| text | ticket-rules in-process, per line | in-process, one string | whole process `ticket-rules redact` "
          "| Presidio CreditCardRecognizer, per line | Presidio, one string | in-process / Presidio (per line) "
          "| whole process / Presidio (per line) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in sorted(red):
        r = red[name]
        v = {k: num(r.get(k, {}).get("mb_per_s")) for k in ("in_lines", "in_whole", "whole_process", "pr_lines", "pr_whole")}
        size = num(r.get("in_lines", {}).get("bytes"))
        psize = num(r.get("pr_lines", {}).get("bytes"))
        label = f"{name} ({size / 1e6:.1f} MB; Presidio: first {psize / 1e6:.1f} MB)" if size and psize else name
        print(f"| {label} | {mbps(v['in_lines'])} | {mbps(v['in_whole'])} | {mbps(v['whole_process'])} "
              f"| {mbps(v['pr_lines'])} | {mbps(v['pr_whole'])} | {ratio(v['in_lines'], v['pr_lines'])} "
              f"| {ratio(v['whole_process'], v['pr_lines'])} |")
    for name in sorted(red):
        r = red[name]
        tr_cards = r.get("sample", {}).get("cards")
        pr_cards = r.get("pr_lines", {}).get("cards")
        if tr_cards and pr_cards:
            print(f"\ncards found in the Presidio sample of {name}: ticket-rules {tr_cards}, "
                  f"Presidio {pr_cards}", end="")
    print()
    for tag, _, line in rows:
        if tag == "LOAD":
            print(f"\nload average at the end: {line.split(' ', 2)[2]}")


if __name__ == "__main__":
    main()
