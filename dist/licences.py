#!/usr/bin/env python3
"""Writes the licences of every crate linked into folio.

Reads `cargo metadata --format-version 1` on standard input, follows the
dependency graph from folio through normal dependencies only (build and dev
dependencies are not part of the program), and writes into the folder given
as the first argument:

- `crates.md`: one row per crate: name, version, licence expression, source;
- `crates/NAME-VERSION/`: the crate's licence, copying and notice files as
  the crate ships them.

A crate without any licence file is listed with a note, never skipped.
"""

import json
import os
import re
import shutil
import sys

LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|UNLICENSE)", re.I)


def main() -> int:
    dest = sys.argv[1]
    meta = json.load(sys.stdin)
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]

    seen = set()
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]):
                todo.append(dep["pkg"])
    seen.discard(root)

    crates = sorted((packages[p] for p in seen), key=lambda p: (p["name"], p["version"]))
    os.makedirs(os.path.join(dest, "crates"), exist_ok=True)
    rows = []
    missing = []
    for p in crates:
        folder = os.path.dirname(p["manifest_path"])
        files = sorted(f for f in os.listdir(folder) if LICENCE_FILE.match(f))
        if p.get("license_file"):
            files.append(p["license_file"])
        target = os.path.join(dest, "crates", f"{p['name']}-{p['version']}")
        copied = []
        for f in dict.fromkeys(files):
            src = os.path.join(folder, f)
            if os.path.isfile(src):
                os.makedirs(target, exist_ok=True)
                shutil.copyfile(src, os.path.join(target, os.path.basename(f)))
                copied.append(os.path.basename(f))
        if not copied:
            missing.append(p["name"])
        source = p.get("repository") or p.get("homepage") or "crates.io"
        rows.append(
            f"| {p['name']} | {p['version']} | {p.get('license') or '(see files)'} | "
            f"{', '.join(copied) or 'no licence file in the crate'} | {source} |"
        )

    with open(os.path.join(dest, "crates.md"), "w", encoding="utf-8") as out:
        out.write("# Crates compiled into folio\n\n")
        out.write(
            "Every Rust crate linked into the `folio` program, with its licence "
            "expression from its manifest. The crates' own licence and notice "
            "files are in `crates/NAME-VERSION/`.\n\n"
        )
        out.write("| crate | version | licence | files | source |\n|---|---|---|---|---|\n")
        out.write("\n".join(rows) + "\n")
    print(f"licences of {len(crates)} crates written; {len(missing)} without a licence file",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
