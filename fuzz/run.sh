#!/usr/bin/env bash
# Fuzzes the targets of fuzz/targets.rs long, with AFL (coverage-guided), on stable Rust.
#
#   fuzz/run.sh TARGET [SECONDS]   one target, SECONDS of CPU time (default 600)
#   fuzz/run.sh all [SECONDS]      every target in turn, SECONDS of CPU time each
#   fuzz/run.sh list               the target names
#
# Installs cargo-bolero (which carries AFL) when missing, builds the targets once with
# coverage instrumentation (fuzz/target/afl, `--profile fuzz`: optimised, with overflow
# checks and debug assertions), then runs AFL on one core, at low priority, until AFL and
# the target have used SECONDS of CPU time (at most 4 x SECONDS of wall time).
# AFL's state is kept in fuzz/target/state/TARGET/ (a later run starts from its queue). New crashes and hangs are copied to
# fuzz/__fuzz__/TARGET/crashes/, which `cargo test` replays: commit them (minimised)
# as regression seeds. The CPU time, executions and findings of each run are appended
# to fuzz/logs/runs.tsv.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

BOLERO_VERSION=0.13.5
TARGETS=(rules event_line account test_file redact engine server_request)

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

[ $# -ge 1 ] || usage
what=$1
seconds=${2:-600}
case "$what" in
list)
    printf '%s\n' "${TARGETS[@]}"
    exit 0
    ;;
all) selected=("${TARGETS[@]}") ;;
*)
    [[ " ${TARGETS[*]} " == *" $what "* ]] || {
        echo "unknown target: $what (one of: ${TARGETS[*]}, all)" >&2
        exit 2
    }
    selected=("$what")
    ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

if ! cargo bolero --version 2>/dev/null | grep -q "$BOLERO_VERSION"; then
    echo "installing cargo-bolero $BOLERO_VERSION (carries AFL 2.57b)" >&2
    cargo install --locked cargo-bolero --version "$BOLERO_VERSION"
fi

# AFL's checks that do not apply to a shared machine or container.
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    AFL_NO_UI=1
bolero=(cargo bolero test --engine afl --sanitizer NONE --target-dir target/afl
    --engine-args=-mnone --engine-args=-t5000)

# CPU seconds used so far by a process and all its live descendants (with the children
# they have already reaped), from /proc/PID/stat: utime + stime + cutime + cstime.
tree_cpu() {
    local ticks=0 pid
    local pids=("$1")
    local i=0
    while [ $i -lt ${#pids[@]} ]; do
        pid=${pids[$i]}
        i=$((i + 1))
        if [ -r "/proc/$pid/stat" ]; then
            ticks=$((ticks + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
        fi
        for c in $(pgrep -P "$pid" 2>/dev/null); do pids+=("$c"); done
    done
    echo $((ticks / $(getconf CLK_TCK)))
}

mkdir -p logs
[ -f logs/runs.tsv ] || printf 'date\ttarget\tseconds\tcpu_s\texecs\tpaths\tcrashes\thangs\n' >logs/runs.tsv

for t in "${selected[@]}"; do
    state="__fuzz__/$t/afl_state"
    prev="target/state/$t"
    seeds="$here/target/seeds/$t"
    # Seeds: the committed corpus and the queue a previous run left (AFL resumes from it).
    rm -rf "$seeds" "$state"
    mkdir -p "$seeds"
    cp "__fuzz__/$t/corpus/"* "$seeds/"
    if [ -d "$prev/queue" ]; then
        find "$prev/queue" -maxdepth 1 -type f -name 'id:*' -exec cp {} "$seeds/" \;
    fi
    echo "== $t: building (instrumented)" >&2
    # An unknown AFL option makes afl-fuzz stop at once, after the build.
    nice -n 10 "${bolero[@]}" "$t" --corpus-dir "$seeds" --engine-args=-Z \
        >"logs/$t.build.log" 2>&1 || true
    grep -q "afl-fuzz" "logs/$t.build.log" || {
        echo "build failed, see fuzz/logs/$t.build.log" >&2
        tail -20 "logs/$t.build.log" >&2
        exit 1
    }
    rm -rf "$state"
    echo "== $t: fuzzing for $seconds s" >&2
    # SECONDS is CPU time (AFL and the target together), so that runs on a busy machine
    # are comparable; the wall clock is capped at 4 times that.
    /usr/bin/time -f '%U %S' -o "logs/$t.time" \
        timeout -s INT "$((seconds * 4))" nice -n 10 "${bolero[@]}" "$t" --corpus-dir "$seeds" \
        >"logs/$t.log" 2>&1 &
    runner=$!
    sampled=0
    while kill -0 "$runner" 2>/dev/null; do
        sleep 5
        now=$(tree_cpu "$runner")
        [ "$now" -gt "$sampled" ] && sampled=$now
        # `timeout` passes SIGINT on to AFL, which stops cleanly and writes its stats.
        [ "$sampled" -lt "$seconds" ] || kill -INT "$(pgrep -P "$runner")" 2>/dev/null || true
    done
    wait "$runner" || true
    # /usr/bin/time misses the CPU of AFL's fork server when AFL does not reap it on
    # exit; the last /proc sample misses the last seconds: the larger is recorded.
    read -r user sys < <(tail -1 "logs/$t.time") || { user=0; sys=0; }
    stat() { sed -n "s/^$1 *: *//p" "$state/fuzzer_stats" 2>/dev/null | head -1; }
    execs=$(stat execs_done) paths=$(stat paths_total)
    crashes=$(stat unique_crashes) hangs=$(stat unique_hangs)
    mkdir -p "__fuzz__/$t/crashes"
    for f in "$state"/crashes/id:* "$state"/hangs/id:*; do
        [ -e "$f" ] || continue
        sum=$(sha1sum "$f" | cut -c1-16)
        cp -n "$f" "__fuzz__/$t/crashes/$(basename "$(dirname "$f")")-$sum"
    done
    # Keep the state out of __fuzz__ (which `cargo test` replays) for the next run.
    rm -rf "$prev"
    mkdir -p target/state
    [ -d "$state" ] && mv "$state" "$prev"
    cpu=$(awk -v u="$user" -v s="$sys" -v p="$sampled" 'BEGIN { c = u + s; if (p > c) c = p; printf "%.0f", c }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$seconds" "$cpu" \
        "${execs:-?}" "${paths:-?}" "${crashes:-?}" "${hangs:-?}" >>logs/runs.tsv
    echo "== $t: cpu ${cpu}s, execs ${execs:-?}, paths ${paths:-?}, crashes ${crashes:-?}, hangs ${hangs:-?}" >&2
done
