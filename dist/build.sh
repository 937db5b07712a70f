#!/usr/bin/env bash
# Builds the release archive folio-VERSION-x86_64-linux.tar.gz:
#
#   folio-VERSION-x86_64-linux/
#     folio                  the program
#     fonts/                 folio's fonts, their licence and README
#     issue.toml, examples/  the sample issue (./folio compile issue.toml)
#     README.md, INSTALL.md, docs/
#     man/man1/folio*.1      manual pages
#     completions/           bash, zsh, fish, PowerShell
#     LICENSES/              folio's licence, and the licence of every
#                            crate compiled into the program
#
# Usage: dist/build.sh [--bin PATH] [--out DIR]
#   --bin PATH   use this folio binary instead of building one
#                (`cargo build --release`); the tests pass the binary
#                cargo test already built
#   --out DIR    where the archive goes (default: target/dist)
#
# The archive is reproducible: files are sorted, owned by 0:0, dated
# SOURCE_DATE_EPOCH (default: the last commit's time, else 0), and gzip
# writes no name or time.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin=""
out="$repo/target/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "dist/build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --release --locked)
  bin="$repo/target/release/folio"
fi
[ -x "$bin" ] || { echo "dist/build.sh: $bin is not an executable" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n1)"
name="folio-$version-x86_64-linux"
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage"

# The program. Debug line tables are kept out of the archive.
cp "$bin" "$stage/folio"
if command -v strip >/dev/null 2>&1; then strip --strip-debug "$stage/folio"; fi
chmod 755 "$stage/folio"

# Fonts: exactly the files of fonts/ a compile from the source tree uses.
mkdir -p "$stage/fonts"
cp "$repo"/fonts/*.otf "$repo/fonts/LICENSE-OFL.txt" "$repo/fonts/README.md" "$stage/fonts/"

# The sample issue, laid out as in the repository so that issue.toml's
# paths hold.
cp "$repo/issue.toml" "$stage/"
mkdir -p "$stage/examples"
cp -r "$repo/examples/zhenjing-2024-01" "$stage/examples/"

# Documentation.
cp "$repo/README.md" "$repo/dist/INSTALL.md" "$stage/"
mkdir -p "$stage/docs"
cp "$repo"/docs/*.md "$stage/docs/"

# Manual pages and shell completions, written by the program itself.
mkdir -p "$stage/man/man1" "$stage/completions"
"$stage/folio" man "$stage/man/man1"
"$stage/folio" completions bash >"$stage/completions/folio.bash"
"$stage/folio" completions zsh >"$stage/completions/_folio"
"$stage/folio" completions fish >"$stage/completions/folio.fish"
"$stage/folio" completions powershell >"$stage/completions/_folio.ps1"

# Licences: folio's own, the fonts', the colour profile's, and those of
# every crate linked into the program (from cargo metadata: no network).
mkdir -p "$stage/LICENSES"
cp "$repo/fonts/LICENSE-OFL.txt" "$stage/LICENSES/fonts-OFL-1.1.txt"
cp "$repo/icc/README.md" "$stage/LICENSES/icc-FOGRA39L-profile.md"
(cd "$repo" && cargo metadata --format-version 1 --offline --locked \
    --filter-platform x86_64-unknown-linux-gnu) \
  | python3 "$repo/dist/licences.py" "$stage/LICENSES"
# folio's own licence; the Apache-2.0 text is the one typst ships.
apache="$(ls "$stage"/LICENSES/crates/typst-assets-*/LICENSE | head -n1)"
grep -q "Apache License" "$apache"
cp "$apache" "$stage/LICENSES/Apache-2.0.txt"
cat >"$stage/LICENSES/folio.md" <<'TEXT'
# folio

folio is licensed under the Apache License, Version 2.0 (`Apache-2.0.txt`).

- `fonts-OFL-1.1.txt`: the fonts in `fonts/` (Noto Serif CJK SC, Noto Sans
  CJK SC), SIL Open Font License 1.1; see `fonts/README.md` for their source.
- `icc-FOGRA39L-profile.md`: the CMYK output profile compiled into folio for
  PDF/X-4, and its licence.
- `crates.md` and `crates/`: every Rust crate compiled into the program,
  with its licence and notice files (`crates/typst-assets-*/NOTICE` covers
  the fonts Typst itself embeds). Crates whose package ships no licence
  file are listed with their licence expression; for Apache-2.0 the text
  is `Apache-2.0.txt`.
TEXT

archive="$out/$name.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    --mode='u+rwX,go+rX,go-w' -C "$work" -cf - "$name" \
  | gzip -n -6 >"$archive.tmp"
mv "$archive.tmp" "$archive"
echo "$archive"
