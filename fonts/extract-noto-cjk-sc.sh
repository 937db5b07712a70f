#!/bin/sh
# Re-create the vendored Simplified Chinese Noto CJK fonts in this folder from
# Debian's fonts-noto-cjk / fonts-noto-cjk-extra packages (see README.md).
# Needs: root (apt), python3 with fonttools (pip install fonttools).
# Output is byte-for-byte reproducible for the same package and fonttools versions.
set -eu
cd "$(dirname "$0")"

apt-get update
apt-get install -y fonts-noto-cjk fonts-noto-cjk-extra

python3 - <<'PY'
from fontTools.ttLib import TTCollection
D = "/usr/share/fonts/opentype/noto/"
JOBS = [  # (collection, exact name-ID-1 family of the SC face, output file)
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC",       "NotoSerifCJKsc-Regular.otf"),
    ("NotoSerifCJK-Bold.ttc",    "Noto Serif CJK SC",       "NotoSerifCJKsc-Bold.otf"),
    ("NotoSansCJK-Regular.ttc",  "Noto Sans CJK SC",        "NotoSansCJKsc-Regular.otf"),
    ("NotoSansCJK-Bold.ttc",     "Noto Sans CJK SC",        "NotoSansCJKsc-Bold.otf"),
    ("NotoSansCJK-Black.ttc",    "Noto Sans CJK SC Black",  "NotoSansCJKsc-Black.full.otf"),
]
for ttc, family, out in JOBS:
    coll = TTCollection(D + ttc, recalcTimestamp=False)
    [face] = [f for f in coll.fonts if f["name"].getDebugName(1) == family]
    face.recalcTimestamp = False
    face.save(out)
    print("wrote", out)
PY

# Sans Black (display/masthead) is subset to stay under the 100 MB budget:
# every code point of the SC face is kept EXCEPT Hangul (syllables U+AC00-D7AF,
# Jamo U+1100-11FF, U+3130-318F, U+A960-A97F, U+D7B0-D7FF). All OpenType layout
# features, names and hinting are kept.
pyftsubset NotoSansCJKsc-Black.full.otf \
  --unicodes='U+0000-10FF,U+1200-312F,U+3190-A95F,U+A980-ABFF,U+D800-10FFFF' \
  --layout-features='*' --name-IDs='*' --name-languages='*' --name-legacy \
  --notdef-outline --glyph-names --symbol-cmap --legacy-cmap \
  --prune-unicode-ranges=false \
  --output-file=NotoSansCJKsc-Black.otf
rm NotoSansCJKsc-Black.full.otf

# LICENSE-OFL.txt: copyright lines from the fonts' own name table (ID 0) plus
# the SIL-1.1 stanza of Debian's copyright file, de-indented (DEP-5 " ." -> blank).
python3 - <<'PY'
copyright = open("/usr/share/doc/fonts-noto-cjk/copyright", encoding="utf-8").read()
stanza = copyright.split("\n\nLicense: SIL-1.1\n", 1)[1].split("\n\nLicense:", 1)[0]
body = "\n".join("" if l.strip() == "." else l[1:] for l in stanza.splitlines())
head = (
    "Noto Serif CJK SC: Copyright \u00a9 2017-2022 Adobe (http://www.adobe.com/).\n"
    "Noto Sans CJK SC:  Copyright \u00a9 2014-2021 Adobe (http://www.adobe.com/).\n"
    "Noto is a trademark of Google Inc.\n"
    "(Copyright lines as embedded in the fonts' name table, ID 0 and ID 7.)\n\n"
    "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
    "This license is copied below, and is also available with a FAQ at:\n"
    "https://openfontlicense.org\n\n"
    "Licence text below copied verbatim from /usr/share/doc/fonts-noto-cjk/copyright\n"
    "(Debian package fonts-noto-cjk 1:20220127+repack1-1, stanza \"License: SIL-1.1\").\n\n"
)
open("LICENSE-OFL.txt", "w", encoding="utf-8").write(head + body.rstrip() + "\n")
print("wrote LICENSE-OFL.txt")
PY
ls -l ./*.otf
