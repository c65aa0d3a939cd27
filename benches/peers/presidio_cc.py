"""Presidio side of the redaction comparison in benches/peers/run.sh (issue #5).

    python presidio_cc.py FILE MAX_BYTES

Uses only presidio-analyzer's `CreditCardRecognizer` (regex + Luhn, no NLP model: the
full `AnalyzerEngine` needs a spaCy model downloaded from a hub, which this network does
not allow). Reads the first MAX_BYTES of FILE (cut at a line end), then, best of 3 passes:

- lines: `recognizer.analyze(line, ["CREDIT_CARD"], None)` for every line (as a helpdesk
  scans each message; ticket-rules' `redact` also works line by line), and masks every
  found span keeping the first 6 and last 4 digits, as ticket-rules does by default;
- whole: the same on the sample as one string.

Prints `PRESIDIO file=NAME mode=lines|whole bytes=N mb_per_s=X cards=K`. MB = 10^6 bytes of
UTF-8 input, as in the ticket-rules figures.
"""

import os
import sys
import time

from presidio_analyzer.predefined_recognizers import CreditCardRecognizer


def mask(text, results):
    """Masks the digits of each found span, keeping the first 6 and last 4 digits."""
    if not results:
        return text
    out, last = [], 0
    for r in sorted(results, key=lambda r: r.start):
        span = text[r.start:r.end]
        total = sum(c.isdigit() for c in span)
        seen, chars = 0, []
        for c in span:
            if c.isdigit():
                seen += 1
                chars.append(c if seen <= 6 or seen > total - 4 else "*")
            else:
                chars.append(c)
        out.append(text[last:r.start])
        out.append("".join(chars))
        last = r.end
    out.append(text[last:])
    return "".join(out)


def main():
    if len(sys.argv) != 3:
        print("usage: python presidio_cc.py FILE MAX_BYTES", file=sys.stderr)
        sys.exit(2)
    path, max_bytes = sys.argv[1], int(sys.argv[2])
    with open(path, "rb") as f:
        data = f.read(max_bytes)
    cut = data.rfind(b"\n")
    if cut >= 0 and len(data) == max_bytes:
        data = data[: cut + 1]
    text = data.decode("utf-8")
    nbytes = len(data)
    lines = text.splitlines(keepends=True)
    rec = CreditCardRecognizer()
    entities = ["CREDIT_CARD"]
    name = os.path.basename(path)

    for mode in ("lines", "whole"):
        best, cards = float("inf"), 0
        for _ in range(3):
            start = time.perf_counter()
            cards = 0
            if mode == "lines":
                for line in lines:
                    found = rec.analyze(line, entities, None)
                    cards += len(found)
                    mask(line, found)
            else:
                found = rec.analyze(text, entities, None)
                cards = len(found)
                mask(text, found)
            best = min(best, time.perf_counter() - start)
        print(
            f"PRESIDIO file={name} mode={mode} bytes={nbytes} "
            f"mb_per_s={nbytes / 1e6 / best:.2f} cards={cards}",
            flush=True,
        )


if __name__ == "__main__":
    main()
