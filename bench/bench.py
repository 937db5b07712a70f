#!/usr/bin/env python3
"""folio's benchmark. Run it through bench/run.sh (which builds first); see
BENCHMARKS.md for what it measures and the results.

Everything happens in a temporary folder; the repository is only read:

  sample/   a copy of the sample issue (issue.toml, examples/zhenjing-2024-01)
            and plain.typ, the same text and photos as one plain Typst file
  volume/   the synthetic volume: the sample's sections repeated --copies
            times (articles copied, photos shared), and its plain.typ
  half/     the same with half the copies, to see how cost grows with pages
  text/     the volume's text alone (no photos), and its plain.typ
  *-report/ the sample and the text volume with folio's plainer `report`
            layout instead of `default`, to tell the pipeline's cost from
            the default layout's

sample/ and half/ also get edition.html, the same issue as HTML+CSS for the
peer, WeasyPrint (see html_edition).

Needs: hyperfine, GNU time (/usr/bin/time), poppler's pdfinfo, python3 >= 3.11,
and (unless --no-weasyprint) the PyPI packages weasyprint and markdown.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLIO = REPO / "target/release/folio"
FLOOR = REPO / "target/release/examples/typst_floor"
SAMPLE_DIR = "examples/zhenjing-2024-01"


# ---- Preparing the inputs -----------------------------------------------------------



def markdown_of(body):
    """The Markdown of an article: a Word body (the sample's article 11) is
    read from its Markdown twin beside it, which folio sets identically."""
    if body.suffix == ".docx":
        return body.with_suffix(".md")
    return body

def copy_sample(dest: Path) -> None:
    dest.mkdir(parents=True)
    shutil.copy(REPO / "issue.toml", dest / "issue.toml")
    shutil.copytree(REPO / SAMPLE_DIR, dest / SAMPLE_DIR)


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def make_volume(dest: Path, copies: int, photos: bool = True) -> None:
    """The sample's sections `copies` times: every article copied (its
    paragraphs numbered by copy, so that no paragraph repeats verbatim and
    Typst cannot reuse an earlier paragraph's layout), photos shared. Without
    `photos`, the text alone: no cover photo, lead photos, figures or
    galleries."""
    dest.mkdir(parents=True)
    shutil.copytree(REPO / SAMPLE_DIR / "photos", dest / "photos")
    manifest = tomllib.loads((REPO / "issue.toml").read_text(encoding="utf-8"))
    text = (REPO / "issue.toml").read_text(encoding="utf-8")
    head = text[: text.index("[[section]]")]
    head = head.replace(f"{SAMPLE_DIR}/photos/", "photos/")
    if not photos:
        head = re.sub(r"^photo(_credit)? = .*\n", "", head, flags=re.M)
    out = [head]
    for k in range(1, copies + 1):
        (dest / f"articles/c{k:02}").mkdir(parents=True)
        for s in manifest["section"]:
            out.append("[[section]]")
            out.append(f"title = {toml_str(s['title'] + f'·{k}')}")
            if "english" in s:
                out.append(f"english = {toml_str(s['english'])}")
            for a in s.get("article", []):
                if not photos:
                    a = {k: v for k, v in a.items() if k not in ("lead", "figure", "photo")}
                    if "body" not in a:
                        continue
                out.append("\n[[section.article]]")
                for key in ("title", "toc_title", "kicker", "author", "unit"):
                    if key in a:
                        out.append(f"{key} = {toml_str(a[key])}")
                for key in ("toc", "signature"):
                    if key in a:
                        out.append(f"{key} = {'true' if a[key] else 'false'}")
                if "columns" in a:
                    out.append(f"columns = {a['columns']}")
                if "body" in a:
                    src = markdown_of(REPO / a["body"])
                    paras = src.read_text(encoding="utf-8").split("\n\n")
                    numbered = [
                        f"（{k}）{p}" if p.strip() and not p.lstrip().startswith(("#", "!", "-", ">", "|")) else p
                        for p in paras
                    ]
                    rel = f"articles/c{k:02}/{src.name}"
                    (dest / rel).write_text("\n\n".join(numbered), encoding="utf-8")
                    out.append(f"body = {toml_str(rel)}")
                if "lead" in a:
                    lead = a["lead"]
                    cap = f", caption = {toml_str(lead['caption'])}" if "caption" in lead else ""
                    out.append(f"lead = {{ file = {toml_str(photo(lead['file']))}{cap} }}")
                for table in ("figure", "photo"):
                    for p in a.get(table, []):
                        out.append(f"[[section.article.{table}]]")
                        out.append(f"file = {toml_str(photo(p['file']))}")
                        if "caption" in p:
                            out.append(f"caption = {toml_str(p['caption'])}")
            out.append("")
    if "back_cover" in manifest:
        back = text[text.index("[back_cover]") :]
        out.append(back)
    (dest / "issue.toml").write_text("\n".join(out), encoding="utf-8")


def photo(path: str) -> str:
    return "photos/" + path.rsplit("/", 1)[1]


# ---- The same issue as one plain Typst file ------------------------------------------

ESCAPE = set("\\#$*_@<>[]`~=-+/'\"")


def markup(text: str) -> str:
    return "".join("\\" + c if c in ESCAPE else c for c in text)


def is_cjk(c: str) -> bool:
    return "\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or "\u3000" <= c <= "\u303f"


def paragraphs(md: str) -> list[tuple[str, str]]:
    """(kind, text) blocks of a plain Markdown article: headings and
    paragraphs; emphasis markers dropped."""
    blocks = []
    for raw in re.split(r"\n\s*\n", md.strip()):
        lines = [l.strip() for l in raw.splitlines() if l.strip()]
        if not lines:
            continue
        joined = lines[0]
        for l in lines[1:]:
            sep = "" if joined and is_cjk(joined[-1]) and is_cjk(l[0]) else " "
            joined += sep + l
        joined = joined.replace("**", "").replace("__", "")
        m = re.match(r"^(#+)\s+(.*)$", joined)
        if m:
            blocks.append(("heading", m.group(2)))
        else:
            blocks.append(("par", joined))
    return blocks


def plain_typ(issue_dir: Path) -> str:
    """The issue written by hand as plain Typst: the same page size, bleed,
    margins, fonts and text settings as folio's default layout, the same
    text and the same photos, but Typst's own outline, headings and columns
    instead of folio's layout."""
    m = tomllib.loads((issue_dir / "issue.toml").read_text(encoding="utf-8"))
    meta = m["issue"]
    brand = m.get("design", {}).get("brand_color", "#b3121d")
    t = [
        f'#set document(title: "{markup(meta["magazine"])} {markup(meta["number"])}")',
        '#let sans = "Noto Sans CJK SC"',
        f'#let brand = rgb("{brand}")',
        "#set page(paper: \"a4\", bleed: 3mm,",
        "  margin: (top: 24mm, bottom: 22mm, inside: 22mm, outside: 18mm),",
        "  header: context text(font: sans, size: 7.5pt, fill: gray)["
        + markup(meta["magazine"]) + " " + markup(meta["number"]) + "],",
        "  footer: context align(if calc.even(here().page()) { left } else { right },",
        "    box(fill: brand, inset: 1.2mm, text(font: sans, size: 8pt, fill: white, counter(page).display()))))",
        '#set text(font: ((name: "Libertinus Serif", covers: "latin-in-cjk"), "Noto Serif CJK SC"),',
        '  size: 10pt, lang: "zh", region: "cn")',
        "#set par(justify: true, leading: 0.76em, spacing: 0.76em, first-line-indent: (amount: 2em, all: true))",
        "#show heading: set text(font: sans)",
        "#show heading: set par(first-line-indent: 0pt, justify: false)",
        "#show heading.where(level: 2): set text(size: 20pt)",
        "#show figure.caption: set text(font: sans, size: 8pt, fill: gray)",
        "",
    ]
    cover = m.get("cover", {})
    t.append("#page(margin: 0pt, header: none, footer: none)[")
    if "photo" in cover:
        t.append(f'  #image("{cover["photo"]}", width: 100%, height: 100%, fit: "cover")')
    t.append(
        f'  #place(top + left, dx: 18mm, dy: 20mm, text(font: sans, weight: "black", size: 72pt, fill: white)[{markup(cover.get("masthead", meta["magazine"]))}])'
    )
    for i, s in enumerate(cover.get("slogans", [])):
        t.append(
            f"  #place(bottom + left, dx: 18mm, dy: {-30 + 10 * i}mm, text(font: sans, size: 14pt, fill: white)[{markup(s)}])"
        )
    t.append("]")
    t.append('#page(header: none)[#outline(title: [目录], depth: 2)]')
    for s in m.get("section", []):
        t.append(f"#page(header: none, footer: none, fill: brand)[")
        t.append(f"  #set text(fill: white)")
        t.append(f"  #v(80mm) = {markup(s['title'])}")
        t.append("]")
        for a in s.get("article", []):
            t.append("#pagebreak(weak: true)")
            t.append(f"== {markup(a['title'])}")
            if "author" in a:
                t.append(f"#text(font: sans, size: 9pt)[文／{markup(a['author'])}]")
            if "lead" in a:
                t.append(f'#image("{a["lead"]["file"]}", width: 100%)')
            if "body" in a:
                md = markdown_of(issue_dir / a["body"]).read_text(encoding="utf-8")
                cols = a.get("columns", m.get("design", {}).get("columns", 1))
                body = []
                for kind, text in paragraphs(md):
                    if kind == "heading":
                        body.append(f"=== {markup(text)}")
                    else:
                        body.append(markup(text))
                    body.append("")
                for f in a.get("figure", []):
                    cap = f", caption: [{markup(f['caption'])}]" if "caption" in f else ""
                    body.append(f'#figure(image("{f["file"]}", width: 100%){cap})')
                t.append(f"#columns({cols}, gutter: 7mm)[")
                t.extend(body)
                t.append("]")
            if a.get("photo"):
                cells = []
                for p in a["photo"]:
                    cap = f", caption: [{markup(p['caption'])}]" if "caption" in p else ""
                    cells.append(f'figure(image("{p["file"]}", width: 100%, height: 58mm, fit: "cover"){cap})')
                t.append("#grid(columns: 2, gutter: 5mm, " + ", ".join(cells) + ")")
    back = m.get("back_cover", {})
    t.append("#page(header: none, footer: none, fill: brand)[#set text(fill: white)")
    for key in ("closing", "call", "contact", "publisher"):
        if key in back:
            t.append(f"  #par[{markup(back[key])}]")
    t.append("]")
    return "\n".join(t) + "\n"


# ---- The same issue as HTML+CSS, for WeasyPrint -------------------------------------

WEASYPRINT_FONTS = (
    ("Folio Serif", 400, "NotoSerifCJKsc-Regular.otf"),
    ("Folio Serif", 700, "NotoSerifCJKsc-Bold.otf"),
    ("Folio Sans", 400, "NotoSansCJKsc-Regular.otf"),
    ("Folio Sans", 700, "NotoSansCJKsc-Bold.otf"),
    ("Folio Sans", 900, "NotoSansCJKsc-Black.otf"),
)


def html_edition(issue_dir: Path) -> str:
    """The issue as one HTML file with its CSS, for WeasyPrint: the same
    manifest, Markdown articles (through Python-Markdown) and photos as
    folio reads, with the same work for the typesetter: A4 with 3 mm bleed
    and crop marks, the fonts from fonts/ through @font-face, a full-bleed
    cover photo, 目录 whose page numbers come from target-counter(), a
    coloured divider page per section, every article with its lead photo
    and figures in two columns (one where the manifest says so), the
    photo gallery as a two-column grid, running heads and page numbers,
    and the back cover. It does not imitate folio's design."""
    import html
    import markdown

    m = tomllib.loads((issue_dir / "issue.toml").read_text(encoding="utf-8"))
    meta = m["issue"]
    design = m.get("design", {})
    brand = design.get("brand_color", "#b3121d")
    accent = design.get("accent_color", "#c9a063")
    columns = design.get("columns", 2)
    esc = lambda s: html.escape(str(s), quote=True)
    url = lambda rel: esc(rel)
    faces = "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{(REPO / "fonts" / file).as_uri()}"); }}'
        for family, weight, file in WEASYPRINT_FONTS
    )
    running = esc(f'{meta["magazine"]} {meta["number"]}').replace('"', "")
    cover = m.get("cover", {})
    cover_bg = f'background: url("{url(cover["photo"])}") center / cover no-repeat;' if "photo" in cover else ""
    css = f"""
{faces}
@page {{
  size: A4; bleed: 3mm; marks: crop;
  margin: 24mm 18mm 22mm 22mm;
  @top-center {{ content: "{running}"; font: 7.5pt "Folio Sans"; color: gray; }}
}}
@page :left {{
  margin: 24mm 22mm 22mm 18mm;
  @bottom-left {{ content: counter(page); font: 8pt "Folio Sans"; color: white;
                  background: {brand}; padding: 1.2mm; }}
}}
@page :right {{
  @bottom-right {{ content: counter(page); font: 8pt "Folio Sans"; color: white;
                   background: {brand}; padding: 1.2mm; }}
}}
@page cover {{ margin: 0; {cover_bg} @top-center {{ content: none; }}
  @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
@page divider {{ background: {brand}; @top-center {{ content: none; }}
  @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
@page contents {{ @top-center {{ content: none; }} }}
html {{ font-family: "Folio Serif"; font-size: 10pt; line-height: 1.6; }}
body {{ margin: 0; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
h1, h2, h3, .kicker, .byline, figcaption, nav {{ font-family: "Folio Sans"; }}
.cover {{ page: cover; height: 297mm; position: relative; color: white; }}
.cover .masthead {{ position: absolute; top: 20mm; left: 18mm; font: 900 72pt "Folio Sans"; }}
.cover .subtitle {{ position: absolute; top: 52mm; left: 18mm; font: 700 14pt "Folio Sans"; }}
.cover .slogans {{ position: absolute; bottom: 20mm; left: 18mm; font: 14pt "Folio Sans"; }}
nav {{ page: contents; break-before: page; }}
nav h1 {{ font-size: 28pt; color: {brand}; margin: 0 0 8mm; }}
nav h1 small {{ font-size: 12pt; color: {accent}; margin-left: 4mm; }}
nav .section {{ font-weight: 700; font-size: 12pt; color: {brand}; margin: 5mm 0 2mm; }}
nav a {{ display: block; color: black; text-decoration: none; font-size: 10pt; margin: 1.5mm 0; }}
nav a::after {{ content: leader(".") target-counter(attr(href), page); }}
.divider {{ page: divider; break-before: page; color: white; padding-top: 80mm; }}
.divider h1 {{ font-size: 36pt; margin: 0; }}
.divider p {{ font: 16pt "Folio Sans"; text-indent: 0; color: {accent}; }}
article {{ break-before: page; }}
article + article.run-on {{ break-before: auto; margin-top: 8mm; }}
article h2 {{ font-size: 20pt; line-height: 1.3; margin: 0 0 4mm; color: {brand}; }}
.kicker {{ font-size: 9pt; color: {accent}; }}
.byline {{ font-size: 9pt; margin-bottom: 3mm; }}
.lead {{ width: 100%; margin-bottom: 5mm; }}
.lead.half {{ width: 50%; }}
.body {{ column-count: {columns}; column-gap: 7mm; }}
.body.one {{ column-count: 1; }}
figure {{ margin: 3mm 0; break-inside: avoid; }}
figure img {{ width: 100%; display: block; }}
figcaption {{ font-size: 8pt; color: gray; text-align: center; margin-top: 1mm; }}
.gallery {{ display: grid; grid-template-columns: 1fr 1fr; gap: 5mm; }}
.gallery figure {{ margin: 0; }}
.gallery img {{ height: 58mm; object-fit: cover; }}
.signature {{ text-align: right; text-indent: 0; font-family: "Folio Sans"; margin-top: 3mm; }}
.back {{ page: divider; break-before: page; color: white; padding-top: 150mm; text-align: center; }}
.back p {{ text-indent: 0; text-align: center; font-family: "Folio Sans"; }}
.back .closing {{ font-size: 28pt; font-weight: 700; }}
"""
    h = [f'<!DOCTYPE html>\n<html lang="{esc(meta.get("language", "zh"))}">\n<head>\n<meta charset="utf-8">',
         f'<title>{esc(meta["magazine"])} {esc(meta["number"])}</title>',
         f"<style>{css}</style>\n</head>\n<body>"]
    h.append('<section class="cover">')
    h.append(f'<div class="masthead">{esc(cover.get("masthead", meta["magazine"]))}</div>')
    if "subtitle" in meta:
        h.append(f'<div class="subtitle">{esc(meta["subtitle"])} · {esc(meta["number"])}</div>')
    h.append('<div class="slogans">' + "<br>".join(esc(s) for s in cover.get("slogans", [])) + "</div>")
    h.append("</section>")
    contents = m.get("contents", {})
    h.append(f'<nav><h1>{esc(contents.get("title", "目录"))}<small>{esc(contents.get("subtitle", ""))}</small></h1>')
    n = 0
    for s in m.get("section", []):
        h.append(f'<div class="section">{esc(s["title"])}</div>')
        for a in s.get("article", []):
            n += 1
            if a.get("toc", True):
                h.append(f'<a href="#a{n}">{esc(a.get("toc_title", a["title"]))}</a>')
    h.append("</nav>")
    n = 0
    for s in m.get("section", []):
        h.append(f'<section class="divider"><h1>{esc(s["title"])}</h1><p>{esc(s.get("english", ""))}</p></section>')
        for a in s.get("article", []):
            n += 1
            # An article without a lead photo or gallery runs on after the previous one.
            run_on = "lead" not in a and "photo" not in a
            h.append(f'<article id="a{n}"' + (' class="run-on">' if run_on else ">"))
            if "kicker" in a:
                h.append(f'<div class="kicker">{esc(a["kicker"])}</div>')
            h.append(f'<h2>{esc(a["title"])}</h2>')
            if "author" in a:
                h.append(f'<div class="byline">文／{esc(a["author"])}' +
                         (f'（{esc(a["unit"])}）' if "unit" in a else "") + "</div>")
            if "lead" in a:
                half = " half" if a.get("lead_size") == "half" else ""
                h.append(f'<img class="lead{half}" src="{url(a["lead"]["file"])}" alt="">')
            if "body" in a:
                md = markdown_of(issue_dir / a["body"]).read_text(encoding="utf-8")
                one = " one" if a.get("columns", columns) == 1 else ""
                h.append(f'<div class="body{one}">')
                h.append(markdown.markdown(md, extensions=["tables"]))
                for f in a.get("figure", []):
                    cap = f'<figcaption>{esc(f["caption"])}</figcaption>' if "caption" in f else ""
                    h.append(f'<figure><img src="{url(f["file"])}" alt="">{cap}</figure>')
                if a.get("signature") and "author" in a:
                    h.append(f'<p class="signature">{esc(a.get("unit", ""))} {esc(a["author"])}</p>')
                h.append("</div>")
            if a.get("photo"):
                h.append('<div class="gallery">')
                for p in a["photo"]:
                    cap = f'<figcaption>{esc(p["caption"])}</figcaption>' if "caption" in p else ""
                    h.append(f'<figure><img src="{url(p["file"])}" alt="">{cap}</figure>')
                h.append("</div>")
            h.append("</article>")
    back = m.get("back_cover", {})
    h.append('<section class="back">')
    for key in ("closing", "call", "contact", "publisher"):
        if key in back:
            h.append(f'<p class="{key}">{esc(back[key])}</p>')
    for line in back.get("colophon", []):
        h.append(f"<p>{esc(line)}</p>")
    h.append("</section>\n</body>\n</html>")
    return "\n".join(h) + "\n"


# ---- Measuring ---------------------------------------------------------------------------


def hyperfine(name: str, cmd: list[str], runs: int, work: Path) -> dict:
    out = work / f"hyperfine-{name}.json"
    line = " ".join(cmd)
    subprocess.run(
        ["hyperfine", "--style", "basic", "--warmup", "1", "--runs", str(runs),
         "--export-json", str(out), line],
        check=True, stdout=sys.stderr,
    )
    r = json.loads(out.read_text())["results"][0]
    # hyperfine gives no standard deviation for a single run.
    return {"command": line, "mean": r["mean"], "stddev": r["stddev"] or 0.0, "min": r["min"],
            "median": r["median"], "user": r["user"], "system": r["system"]}


def peak_rss_mb(cmd: list[str], runs: int = 3) -> float:
    """Median of the peak resident memory (GNU time's %M, in KB) of runs."""
    peaks = []
    for _ in range(runs):
        p = subprocess.run(["/usr/bin/time", "-f", "PEAK %M"] + cmd,
                           capture_output=True, text=True, check=True)
        peaks.append(int(re.search(r"PEAK (\d+)", p.stderr).group(1)) / 1024)
    return statistics.median(peaks)


def pages_of(stderr: str) -> int:
    return int(re.search(r"\((\d+) pages", stderr).group(1))


def compile_pages(cmd: list[str]) -> int:
    return pages_of(subprocess.run(cmd, capture_output=True, text=True, check=True).stderr)


def pdf_pages(pdf: Path) -> int:
    """Pages of a PDF, by poppler's pdfinfo."""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, flags=re.M).group(1))


def weasyprint_version() -> str:
    import weasyprint
    return weasyprint.__version__


def watch_edits(issue: Path, edits: int) -> dict:
    """Starts `folio watch --timings`, changes one paragraph of one article
    `edits` times, and reads each rebuild's time and phases."""
    article = issue.parent / SAMPLE_DIR / "articles/05-yizhan-fanzha.md"
    original = article.read_text(encoding="utf-8")
    first_end = original.index("。") + 1
    proc = subprocess.Popen(
        [str(FOLIO), "watch", "--timings", str(issue), "-o", str(issue.parent / "watch.pdf")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    lines: list[str] = []
    cond = threading.Condition()

    def reader():
        for line in proc.stderr:
            with cond:
                lines.append(line.rstrip("\n"))
                cond.notify_all()

    threading.Thread(target=reader, daemon=True).start()

    def wait_for(pattern: str, start: int) -> int:
        deadline = time.time() + 120
        with cond:
            while True:
                for i in range(start, len(lines)):
                    if pattern in lines[i]:
                        return i
                if time.time() > deadline:
                    raise SystemExit("watch did not answer:\n" + "\n".join(lines))
                cond.wait(1)

    def phases_after(i: int) -> dict:
        # The phase lines follow the build line; wait for the last one.
        j = wait_for("  write ", i + 1)
        out = {}
        for l in lines[i + 1 : j + 1]:
            m = re.match(r"\s+(\S+)\s+([\d.]+) ms", l)
            if m:
                out[m.group(1)] = float(m.group(2))
        return out

    try:
        i = wait_for("wrote", 0)
        first = {"total": float(re.search(r"in (\d+) ms", lines[i]).group(1)), **phases_after(i)}
        rebuilds = []
        for k in range(1, edits + 1):
            time.sleep(0.4)
            article.write_text(
                original[:first_end] + f"（第{k}次修改）" + original[first_end:], encoding="utf-8"
            )
            i = wait_for("rebuilt", len(lines))
            total = float(re.search(r"in (\d+) ms", lines[i]).group(1))
            rebuilds.append({"total": total, **phases_after(i)})
    finally:
        proc.terminate()
        proc.wait()
        article.write_text(original, encoding="utf-8")
    doc_phases = ("manifest", "check", "content", "world", "layout")
    med = lambda key: statistics.median(r.get(key, 0.0) for r in rebuilds)
    return {
        "first": first,
        "rebuilds": rebuilds,
        "total": statistics.median(r["total"] for r in rebuilds),
        "document": statistics.median(sum(r.get(p, 0.0) for p in doc_phases) for r in rebuilds),
        "layout": med("layout"),
        "pdf": med("pdf"),
        "write": med("write"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10, help="hyperfine runs for the sample issue")
    ap.add_argument("--copies", type=int, default=20, help="copies of the sample in the volume")
    ap.add_argument("--edits", type=int, default=10, help="one-paragraph edits during watch")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--no-weasyprint", dest="weasyprint", action="store_false",
                    help="skip the WeasyPrint peer (about 7 minutes of a quiet run)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="folio-bench-"))
    try:
        load_before = os.getloadavg()
        sample = work / "sample"
        copy_sample(sample)
        (sample / "plain.typ").write_text(plain_typ(sample), encoding="utf-8")
        volume = work / "volume"
        make_volume(volume, args.copies)
        (volume / "plain.typ").write_text(plain_typ(volume), encoding="utf-8")
        half = work / "half"
        make_volume(half, max(1, args.copies // 2))
        if args.weasyprint:
            for d in (sample, half):
                (d / "edition.html").write_text(html_edition(d), encoding="utf-8")
        text = work / "text"
        make_volume(text, args.copies, photos=False)
        (text / "plain.typ").write_text(plain_typ(text), encoding="utf-8")
        sample_report, text_report = work / "sample-report", work / "text-report"
        for src, dst in ((sample, sample_report), (text, text_report)):
            shutil.copytree(src, dst)
            m = dst / "issue.toml"
            m.write_text(re.sub(r'^layout = ".*"$', 'layout = "report"',
                                m.read_text(encoding="utf-8"), count=1, flags=re.M),
                         encoding="utf-8")

        def folio_cmd(d: Path) -> list[str]:
            return [str(FOLIO), "compile", str(d / "issue.toml"), "-o", str(d / "out.pdf")]

        def floor_cmd(d: Path) -> list[str]:
            return [str(FLOOR), str(d / "plain.typ"), str(d / "plain.pdf")]

        def weasyprint_cmd(d: Path) -> list[str]:
            # The interpreter itself, not a wrapper script, so that GNU time
            # measures WeasyPrint's own process.
            return [sys.executable, "-m", "weasyprint", str(d / "edition.html"), str(d / "edition.pdf")]

        r = {}
        r["sample"] = hyperfine("sample", folio_cmd(sample), args.runs, work)
        r["sample_floor"] = hyperfine("sample-floor", floor_cmd(sample), args.runs, work)
        r["sample_pages"] = compile_pages(folio_cmd(sample))
        r["sample_floor_pages"] = compile_pages(floor_cmd(sample))
        r["sample_mem"] = peak_rss_mb(folio_cmd(sample))
        r["sample_floor_mem"] = peak_rss_mb(floor_cmd(sample))
        if args.weasyprint:
            r["weasyprint_version"] = weasyprint_version()
            r["sample_weasy"] = hyperfine("sample-weasyprint", weasyprint_cmd(sample), args.runs, work)
            r["sample_weasy_pages"] = pdf_pages(sample / "edition.pdf")
            r["sample_weasy_mem"] = peak_rss_mb(weasyprint_cmd(sample))
        r["watch"] = watch_edits(sample / "issue.toml", args.edits)
        r["volume"] = hyperfine("volume", folio_cmd(volume), 3, work)
        r["volume_floor"] = hyperfine("volume-floor", floor_cmd(volume), 3, work)
        r["half"] = hyperfine("half", folio_cmd(half), 3, work)
        r["volume_pages"] = compile_pages(folio_cmd(volume))
        r["volume_floor_pages"] = compile_pages(floor_cmd(volume))
        r["half_pages"] = compile_pages(folio_cmd(half))
        r["volume_mem"] = peak_rss_mb(folio_cmd(volume))
        r["volume_floor_mem"] = peak_rss_mb(floor_cmd(volume))
        r["half_mem"] = peak_rss_mb(folio_cmd(half))
        if args.weasyprint:
            r["half_weasy"] = hyperfine("half-weasyprint", weasyprint_cmd(half), 3, work)
            r["half_weasy_pages"] = pdf_pages(half / "edition.pdf")
            r["half_weasy_mem"] = peak_rss_mb(weasyprint_cmd(half))
        r["text"] = hyperfine("text", folio_cmd(text), 3, work)
        r["text_floor"] = hyperfine("text-floor", floor_cmd(text), 3, work)
        r["text_pages"] = compile_pages(folio_cmd(text))
        r["text_floor_pages"] = compile_pages(floor_cmd(text))
        r["text_mem"] = peak_rss_mb(folio_cmd(text))
        r["text_floor_mem"] = peak_rss_mb(floor_cmd(text))
        r["sample_report"] = hyperfine("sample-report", folio_cmd(sample_report), args.runs, work)
        r["sample_report_pages"] = compile_pages(folio_cmd(sample_report))
        r["watch_report"] = watch_edits(sample_report / "issue.toml", args.edits)
        r["text_report"] = hyperfine("text-report", folio_cmd(text_report), 3, work)
        r["text_report_pages"] = compile_pages(folio_cmd(text_report))
        r["text_report_mem"] = peak_rss_mb(folio_cmd(text_report))
        r["load"] = (load_before, os.getloadavg())
        (work / "results.json").write_text(json.dumps(r, indent=2))
        report(r, args, work)
        if args.keep:
            print(f"\nkept {work}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(r: dict, args, work: Path) -> None:
    """The results as BENCHMARKS.md's table. Wall times are hyperfine's
    median (after one warm-up run), ± its standard deviation; ratios are
    of medians; peak memory is the median of three runs."""
    s, f, w = r["sample"], r["sample_floor"], r["watch"]
    v, vf, h = r["volume"], r["volume_floor"], r["half"]
    half_copies = max(1, args.copies // 2)
    copies = lambda n: f"{n} cop{'y' if n == 1 else 'ies'}"
    ms = lambda x: f"{x * 1000:.0f} ms"
    sec = lambda x: f"{x:.2f} s"
    ok = lambda b: "yes" if b else "**no**"
    cpu = lambda x, unit: f"CPU {unit(x['user'] + x['system'])}"
    # On a loaded machine the wall times stretch; the CPU times much less.
    cpu_ratio = lambda a, b: (a["user"] + a["system"]) / (b["user"] + b["system"])
    rows = [
        ("sample issue, cold `folio compile`", f"{r['sample_pages']}",
         f"{ms(s['median'])} ± {ms(s['stddev'])} (min {ms(s['min'])}, {cpu(s, ms)})",
         f"{r['sample_mem']:.0f} MB", "≤ 600 ms, ≤ 250 MB",
         ok(s["median"] <= 0.6 and r["sample_mem"] <= 250)),
        ("same text as plain Typst (floor)", f"{r['sample_floor_pages']}",
         f"{ms(f['median'])} ± {ms(f['stddev'])} (min {ms(f['min'])})",
         f"{r['sample_floor_mem']:.0f} MB", "", ""),
        ("folio ÷ floor (sample)", "", f"{s['median'] / f['median']:.2f} ×", "", "≤ 1.1 ×",
         ok(s["median"] / f["median"] <= 1.1)),
    ]
    if "sample_weasy" in r:
        sw = r["sample_weasy"]
        rows += [
            (f"same issue as HTML+CSS, WeasyPrint {r['weasyprint_version']}", f"{r['sample_weasy_pages']}",
             f"{sec(sw['median'])} ± {sec(sw['stddev'])} (min {sec(sw['min'])}, {cpu(sw, sec)})",
             f"{r['sample_weasy_mem']:.0f} MB", "", ""),
            ("WeasyPrint ÷ folio (sample)", "",
             f"{sw['median'] / s['median']:.1f} × (CPU {cpu_ratio(sw, s):.1f} ×)",
             f"{r['sample_mem'] / r['sample_weasy_mem']:.2f} × (folio ÷ WeasyPrint)",
             "≥ 20 ×", ok(sw["median"] / s["median"] >= 20)),
        ]
    rows += [
        ("one-paragraph edit, `folio watch` rebuild to PDF on disk", "",
         f"{w['total']:.0f} ms median of {len(w['rebuilds'])} ({w['total'] / (s['median'] * 1000) * 100:.0f} % of cold)",
         "", "≤ 60 ms", ok(w["total"] <= 60)),
        ("… of which new document (manifest → layout)", "",
         f"{w['document']:.0f} ms (layout {w['layout']:.0f} ms)", "", "", ""),
        ("… of which PDF export / atomic write", "", f"{w['pdf']:.0f} ms / {w['write']:.0f} ms", "", "", ""),
        (f"volume, {copies(args.copies)}", f"{r['volume_pages']}",
         f"{sec(v['median'])} ± {v['stddev']:.2f} ({cpu(v, sec)})",
         f"{r['volume_mem']:.0f} MB", "≤ 4 s, ≤ 450 MB",
         ok(v["median"] <= 4 and r["volume_mem"] <= 450)),
        (f"volume, {copies(half_copies)}", f"{r['half_pages']}",
         f"{sec(h['median'])} ± {h['stddev']:.2f}", f"{r['half_mem']:.0f} MB",
         "linear", ok(v["median"] / h["median"] <= 2.2 * r["volume_pages"] / r["half_pages"] / 2)),
    ]
    if "half_weasy" in r:
        hw = r["half_weasy"]
        rows += [
            (f"… as HTML+CSS, WeasyPrint", f"{r['half_weasy_pages']}",
             f"{sec(hw['median'])} ± {hw['stddev']:.2f} ({cpu(hw, sec)})",
             f"{r['half_weasy_mem']:.0f} MB", "", ""),
            (f"WeasyPrint ÷ folio ({copies(half_copies)})", "",
             f"{hw['median'] / h['median']:.1f} × (CPU {cpu_ratio(hw, h):.1f} ×)",
             f"{r['half_mem'] / r['half_weasy_mem']:.2f} × (folio ÷ WeasyPrint)", "", ""),
        ]
    rows += [
        ("volume as plain Typst (floor)", f"{r['volume_floor_pages']}",
         f"{sec(vf['median'])} ± {vf['stddev']:.2f}", f"{r['volume_floor_mem']:.0f} MB", "", ""),
        ("folio ÷ floor (volume)", "", f"{v['median'] / vf['median']:.2f} ×", "", "≤ 1.5 ×",
         ok(v["median"] / vf["median"] <= 1.5)),
        (f"volume text only, {copies(args.copies)}", f"{r['text_pages']}",
         f"{sec(r['text']['median'])} ± {r['text']['stddev']:.2f} ({cpu(r['text'], sec)})",
         f"{r['text_mem']:.0f} MB", "", ""),
        ("… as plain Typst (floor)", f"{r['text_floor_pages']}",
         f"{sec(r['text_floor']['median'])} ± {r['text_floor']['stddev']:.2f}",
         f"{r['text_floor_mem']:.0f} MB", "", ""),
        ("sample issue, `report` layout, cold", f"{r['sample_report_pages']}",
         f"{ms(r['sample_report']['median'])} ± {ms(r['sample_report']['stddev'])}", "", "", ""),
        ("… one-paragraph edit, watch rebuild", "",
         f"{r['watch_report']['total']:.0f} ms (document {r['watch_report']['document']:.0f} ms,"
         f" PDF {r['watch_report']['pdf']:.0f} ms, write {r['watch_report']['write']:.0f} ms)", "", "", ""),
        (f"volume text only, `report` layout", f"{r['text_report_pages']}",
         f"{sec(r['text_report']['median'])} ± {r['text_report']['stddev']:.2f}",
         f"{r['text_report_mem']:.0f} MB", "", ""),
    ]
    print("| measurement | pages | wall time (median) | peak memory | target | met |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    lb, la = r["load"]
    print(f"\nload average before/after: {lb[0]:.2f} / {la[0]:.2f} (1 min); "
          f"{os.cpu_count()} cores; sample runs {args.runs}, volumes 3 (after 1 warm-up each)")
    print(f"first watch build: {w['first']}")
    print("\nCommands ($WORK is the temporary folder, $REPO the repository):")
    keys = ["sample", "sample_floor", "sample_weasy", "volume", "volume_floor", "half", "half_weasy",
            "text", "text_floor", "sample_report", "text_report"]
    for key in keys:
        if key not in r:
            continue
        cmd = (r[key]["command"].replace(str(work), "$WORK").replace(str(REPO), "$REPO")
               .replace(sys.executable, "python3"))
        print(f"- {key}: `{cmd}`")
    print("- watch: `$REPO/target/release/folio watch --timings $WORK/sample/issue.toml -o $WORK/sample/watch.pdf`,"
          f" then {len(w['rebuilds'])} edits of one paragraph of articles/05-yizhan-fanzha.md")

if __name__ == "__main__":
    main()
