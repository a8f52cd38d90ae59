#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 20 s each), starting from the seeds in
# fuzz/seeds/<target>/. A crash fails the script and leaves the input under fuzz/artifacts/.
# Uses cargo-fuzz on the stable toolchain (no sanitizer: `-s none`), so no nightly is needed.
set -euo pipefail
seconds="${1:-20}"
cd "$(dirname "$0")/../fuzz"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo fuzz build -s none -O
for target in $(cargo fuzz list); do
    corpus="$(mktemp -d)"
    echo "==> fuzz $target for ${seconds}s"
    log="$corpus.log"
    status=0
    cargo fuzz run -s none -O "$target" "$corpus" "seeds/$target" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)|panicked|ERROR|SUMMARY" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -40 "$log"
        echo "fuzz target $target failed (exit $status)"
        exit 1
    fi
    rm -rf "$corpus" "$log"
done
echo "fuzzing: all targets ran ${seconds}s without a crash"
