#!/usr/bin/env bash
# folio's benchmark: builds the release binary and the plain-Typst floor
# (examples/typst_floor.rs), then measures (bench/bench.py, see BENCHMARKS.md):
#   - the sample issue's cold compile, the same text as plain Typst, and the
#     same issue as HTML+CSS through WeasyPrint (the peer);
#   - the rebuild that `folio watch` does after a one-paragraph edit;
#   - a ~400-page volume made of copies of the sample (and half of it, also
#     through WeasyPrint).
# Needs hyperfine, GNU time, poppler's pdfinfo, python3 >= 3.11, and WeasyPrint
# with Python-Markdown from PyPI (WeasyPrint needs Pango). What is missing is
# installed when running as root with apt-get and pip, otherwise named.
# Options go to bench.py: --runs N, --copies N, --edits N, --keep, --no-weasyprint.
set -euo pipefail
cd "$(dirname "$0")/.."

# The peer's versions, pinned so that runs compare.
WEASYPRINT=weasyprint==70.0
MARKDOWN=markdown==3.11.3
PYTHON=${PYTHON:-python3}

need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v pdfinfo >/dev/null || need_apt+=(poppler-utils)
# WeasyPrint loads Pango (and HarfBuzz's subsetter) at run time.
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do
    ldconfig -p | grep -q "$lib" || { need_apt+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0); break; }
done
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench: installing ${need_apt[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >&2
    else
        echo "bench: install ${need_apt[*]} (apt-get install ${need_apt[*]})" >&2
        exit 2
    fi
fi
if [[ " $* " != *" --no-weasyprint "* ]] &&
    ! "$PYTHON" -c "import weasyprint, markdown; assert weasyprint.__version__ == '${WEASYPRINT#*==}'" 2>/dev/null; then
    echo "bench: installing $WEASYPRINT $MARKDOWN (pip)" >&2
    "$PYTHON" -m pip install --quiet "$WEASYPRINT" "$MARKDOWN" >&2 ||
        { echo "bench: install them with: $PYTHON -m pip install $WEASYPRINT $MARKDOWN" >&2; exit 2; }
fi

cargo build --release --bin folio --example typst_floor
exec "$PYTHON" bench/bench.py "$@"
