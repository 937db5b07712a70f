#!/usr/bin/env bash
# folio's benchmark: builds the release binary and the plain-Typst floor
# (examples/typst_floor.rs), then measures (bench/bench.py, see BENCHMARKS.md):
#   - the sample issue's cold compile, and the same text as plain Typst;
#   - the rebuild that `folio watch` does after a one-paragraph edit;
#   - a ~400-page volume made of copies of the sample (and half of it).
# Needs hyperfine and GNU time (apt-get install hyperfine time) and python3.
# Options go to bench.py: --runs N, --copies N, --edits N, --keep.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench: install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: install GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release --bin folio --example typst_floor
exec python3 bench/bench.py "$@"
