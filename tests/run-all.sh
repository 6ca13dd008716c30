#!/usr/bin/env bash
# Runs every test of the project on a fresh machine (Rust, Node and npm are
# all it needs): unit, property, doc and integration tests against a local
# kinesis-mock (installed from npm and started by the tests themselves), the
# SigV4 suite, response vectors, a docs check, and each fuzz target briefly.
#
#   bash tests/run-all.sh            # everything
#   FUZZ_SECONDS=60 bash tests/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
CARGO_FUZZ_VERSION=0.13.2

step() { printf '\n==> %s\n' "$*"; }

step "kinesis-mock (npm kinesis-local, pinned in tests/kinesis-mock)"
npm ci --prefix tests/kinesis-mock --no-audit --no-fund --loglevel=error

step "moto (PyPI moto[server]==5.2.5 into tests/moto/.venv; about 40 s when new)"
time {
    [ -x tests/moto/.venv/bin/python ] || python3 -m venv tests/moto/.venv
    tests/moto/.venv/bin/python -m pip install --quiet --disable-pip-version-check "moto[server]==5.2.5"
    echo 5.2.5 > tests/moto/.venv/moto-5.2.5-installed
}

step "ferrokinesis 0.7.0 on 127.0.0.1 (tests/ferrokinesis; built once per machine, ~2.5 min cold on 2 cores)"
cargo build --release --locked --quiet --manifest-path tests/ferrokinesis/Cargo.toml

step "unit, property, vector and integration tests"
cargo test --workspace --all-targets

step "doc tests"
cargo test --workspace --doc

step "rustdoc: no missing docs, no broken links"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "fuzz targets, ${FUZZ_SECONDS}s each (cargo-fuzz on the stable toolchain)"
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi
# cargo-fuzz passes -Z sanitizer flags; RUSTC_BOOTSTRAP lets stable rustc take them.
export RUSTC_BOOTSTRAP=1
(
    cd fuzz
    cargo fuzz build -O
    for target in $(cargo fuzz list); do
        echo "--- fuzz $target"
        mkdir -p "corpus/$target"
        seeds=()
        [ -d "seeds/$target" ] && seeds=("seeds/$target")
        cargo fuzz run -O "$target" "corpus/$target" "${seeds[@]}" -- \
            -max_total_time="$FUZZ_SECONDS" -print_final_stats=0 2>&1 | tail -n 2
    done
)

echo
echo "all tests passed"
