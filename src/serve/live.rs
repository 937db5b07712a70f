//! The live preview of `folio watch --serve`: typst-kit's HTTP server (bound
//! to 127.0.0.1) serves one page that shows the issue as spreads, and every
//! page as a PNG drawn by typst-render on request.
//!
//! A page's image is named by the hash of what the page shows, so a rebuild
//! that leaves a page unchanged leaves its URL and its rendered PNG
//! unchanged: only the pages an edit touched are drawn again. Setting new
//! contents makes the server tell every open browser to reload; the page
//! keeps its scroll position across reloads.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use typst::foundations::Bytes;
use typst_kit::server::{HttpBody, HttpServer};
use typst_layout::{Page, PagedDocument};

use crate::error::Error;
use crate::export::raster;

/// The pages being served and their rendered PNGs.
struct Shared {
    ppi: f64,
    pages: Mutex<HashMap<u128, Page>>,
    /// The pages of the build before, for requests a rebuild overtook.
    previous: Mutex<HashMap<u128, Page>>,
    pngs: Mutex<HashMap<u128, Bytes>>,
}

impl Shared {
    /// The PNG of the page with this hash, drawn on first request.
    fn png(&self, hash: u128) -> Option<Bytes> {
        if let Some(png) = self.pngs.lock().ok()?.get(&hash) {
            return Some(png.clone());
        }
        let current = self.pages.lock().ok()?.get(&hash).cloned();
        let page = match current {
            Some(page) => page,
            None => self.previous.lock().ok()?.get(&hash)?.clone(),
        };
        let png = Bytes::new(raster::render(&page, self.ppi).png(true).ok()?);
        // Keep it only if the page is still current.
        if self.pages.lock().ok()?.contains_key(&hash) {
            self.pngs.lock().ok()?.insert(hash, png.clone());
        }
        Some(png)
    }
}

/// What the header line says about the last build.
pub enum Status<'a> {
    Building,
    Built { millis: f64, warnings: usize },
    Failed { errors: &'a str },
}

/// A running live preview.
pub struct LivePreview {
    server: HttpServer,
    shared: Arc<Shared>,
    title: String,
    /// The last good document's pages: (hash, width px, height px).
    current: Vec<(u128, u32, u32)>,
    generation: u64,
}

impl LivePreview {
    /// Starts the server on 127.0.0.1 (`port`, or the first free one of
    /// 3000–3005).
    pub fn start(port: Option<u16>, ppi: f64, title: &str) -> Result<Self, Error> {
        let server = HttpServer::new(title, port, true)
            .map_err(|e| Error::plain(format!("cannot start the preview server: {e}")))?;
        let mut preview = Self {
            server,
            shared: Arc::new(Shared {
                ppi,
                pages: Mutex::new(HashMap::new()),
                previous: Mutex::new(HashMap::new()),
                pngs: Mutex::new(HashMap::new()),
            }),
            title: title.to_string(),
            current: Vec::new(),
            generation: 0,
        };
        preview.publish(Status::Building);
        Ok(preview)
    }

    /// The address the preview is served on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Shows a newly built document; browsers reload.
    pub fn show(&mut self, doc: &PagedDocument, title: &str, status: Status) {
        self.title = title.to_string();
        let scale = self.shared.ppi / 72.0;
        let mut pages = HashMap::new();
        self.current = doc
            .pages()
            .iter()
            .map(|page| {
                let hash = raster::visual_hash(page);
                let size = page.frame.size();
                let w = (size.x.to_pt() * scale).round().max(1.0) as u32;
                let h = (size.y.to_pt() * scale).round().max(1.0) as u32;
                pages.insert(hash, page.clone());
                (hash, w, h)
            })
            .collect();
        if let Ok(mut pngs) = self.shared.pngs.lock() {
            pngs.retain(|hash, _| pages.contains_key(hash));
        }
        if let Ok(mut current) = self.shared.pages.lock() {
            let old = std::mem::replace(&mut *current, pages);
            if let Ok(mut previous) = self.shared.previous.lock() {
                *previous = old;
            }
        }
        self.publish(status);
    }

    /// Keeps showing the last good pages with a note that the last change
    /// failed; browsers reload.
    pub fn show_error(&mut self, errors: &str) {
        self.publish(Status::Failed { errors });
    }

    fn publish(&mut self, status: Status) {
        self.generation += 1;
        let html = Arc::new(self.html(status));
        let shared = self.shared.clone();
        let generation = Bytes::from_string(self.generation.to_string());
        self.server.set_router(move |route| {
            if route == "/" || route == "/index.html" {
                return Some(HttpBody::Html(html.to_string()));
            }
            if route == "/generation" {
                return Some(HttpBody::Raw(generation.clone()));
            }
            let hex = route.strip_prefix("/page/")?.strip_suffix(".png")?;
            let hash = u128::from_str_radix(hex, 16).ok()?;
            shared.png(hash).map(HttpBody::Raw)
        });
    }

    fn html(&self, status: Status) -> String {
        let n = self.current.len();
        let mut body = String::new();
        for spread in raster::spreads(n) {
            let _ = write!(body, "<div class=\"spread\">");
            // The cover stands on the right, a last verso on the left.
            if spread.len() == 1 && spread[0] == 0 {
                body.push_str("<div class=\"page blank\"></div>");
            }
            for &i in &spread {
                let (hash, w, h) = self.current[i];
                let _ = write!(
                    body,
                    "<figure class=\"page\" id=\"page-{p}\"><img data-src=\"/page/{hash:032x}.png\" \
                     width=\"{w}\" height=\"{h}\" alt=\"page {p}\" data-page=\"{p}\">\
                     <figcaption>{p}</figcaption></figure>",
                    p = i + 1
                );
            }
            if spread.len() == 1 && spread[0] != 0 {
                body.push_str("<div class=\"page blank\"></div>");
            }
            body.push_str("</div>\n");
        }
        let (state, line, banner) = match status {
            Status::Building => ("building", "building the issue…".to_string(), String::new()),
            Status::Built { millis, warnings } => (
                "ok",
                format!(
                    "{n} pages · built in {millis:.0} ms{}",
                    match warnings {
                        0 => String::new(),
                        1 => " · 1 warning (see the terminal)".into(),
                        w => format!(" · {w} warnings (see the terminal)"),
                    }
                ),
                String::new(),
            ),
            Status::Failed { errors } => (
                "error",
                format!("{n} pages · the last change failed"),
                format!(
                    "<div class=\"banner\"><strong>The last change has errors; these are the pages \
                     of the last good build.</strong><pre>{}</pre></div>",
                    escape(errors)
                ),
            ),
        };
        format!(
            r#"<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · folio preview</title>
<style>
:root {{ --page-w: min(44vw, 560px); }}
body {{ margin: 0; background: #56565c; font: 14px system-ui, sans-serif; }}
header {{ position: sticky; top: 0; z-index: 2; background: #1d1d1f; color: #eee; padding: 6px 14px; }}
header .state-error {{ color: #ff8a80; }}
.banner {{ background: #b3121d; color: #fff; padding: 8px 14px; }}
.banner pre {{ white-space: pre-wrap; margin: 6px 0 0; font-size: 12px; }}
main {{ display: flex; flex-direction: column; align-items: center; gap: 28px; padding: 28px 12px 60vh; }}
.spread {{ display: flex; }}
.page {{ margin: 0; width: var(--page-w); position: relative; }}
.page img {{ display: block; width: 100%; height: auto; background: #fff; box-shadow: 0 2px 10px rgba(0,0,0,.35); }}
.page figcaption {{ position: absolute; bottom: -20px; width: 100%; text-align: center; color: #ddd; font-size: 12px; }}
.page.blank {{ visibility: hidden; }}
</style>
</head>
<body data-generation="{generation}" data-state="{state}" data-pages="{n}">
<header><strong>{title}</strong> · <span class="state-{state}">{line}</span></header>
{banner}<main>
{body}</main>
<script>
(function () {{
  // Keep the scroll position across the reloads that follow each rebuild.
  var key = "folio-scroll";
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  var y = sessionStorage.getItem(key);
  if (y !== null) window.scrollTo(0, parseFloat(y));
  // Only the pages in and near the view are loaded (after a reload the
  // view may be far down the issue); the others when they come near.
  // A page whose request failed, or still has no answer after three seconds
  // (a request cut off by a reload can stay pending in the browser), is
  // asked for again under a fresh URL, up to ten times, rather than left blank.
  function ask(img) {{
    var tries = Number(img.dataset.tries || 0);
    if (tries > 10) return;
    img.dataset.tries = String(tries + 1);
    img.dataset.asked = String(Date.now());
    img.setAttribute("src", img.dataset.src + (tries ? "?try=" + tries : ""));
  }}
  function near() {{
    var h = window.innerHeight;
    document.querySelectorAll("img[data-src]:not([src])").forEach(function (img) {{
      var r = img.getBoundingClientRect();
      if (r.bottom > -h && r.top < 2 * h) ask(img);
    }});
  }}
  function stalled() {{
    var now = Date.now();
    document.querySelectorAll("img[src]").forEach(function (img) {{
      if (!img.complete && now - Number(img.dataset.asked) > 3000) ask(img);
    }});
  }}
  document.querySelectorAll("img[data-src]").forEach(function (img) {{
    img.addEventListener("error", function () {{ setTimeout(function () {{ ask(img); }}, 300); }});
  }});
  function save() {{ sessionStorage.setItem(key, String(window.scrollY)); near(); }}
  near();
  // The server says "reload" to the browsers connected when a build ends.
  // That message can be lost (typst-kit's server notifies only an events
  // thread that is already waiting, and one that is busy misses it), so the
  // page also asks for the generation when the connection opens and then
  // every second.
  var generation = {generation};
  function check() {{
    fetch("/generation", {{ cache: "no-store" }})
      .then(function (r) {{ return r.text(); }})
      .then(function (t) {{ if (t !== "" && Number(t) !== generation) location.reload(); }})
      .catch(function () {{}});
  }}
  var events = new EventSource("/__events");
  window.folioEvents = {{ opens: 0, errors: 0, source: events }};
  events.addEventListener("open", function () {{
    window.folioEvents.opens++;
    check();
  }});
  setInterval(function () {{ if (!document.hidden) {{ check(); stalled(); }} }}, 1000);
  events.addEventListener("error", function () {{ window.folioEvents.errors++; }});
  addEventListener("scroll", save, {{ passive: true }});
  addEventListener("resize", near);
  addEventListener("pagehide", save);
}})();
</script>
</body>
</html>
"#,
            title = escape(&self.title),
            generation = self.generation,
        )
    }
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
