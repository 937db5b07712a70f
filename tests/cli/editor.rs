//! The editor's loop: `folio watch` (rebuilds, broken edits, the live
//! preview in a real browser), `folio preview`, `folio init`, `folio fonts`
//! and diagnostics that point at the user's file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;

const WAIT: Duration = Duration::from_secs(90);

// ---- A process in the background, read line by line ------------------------------

/// A running process whose standard error is read line by line.
struct Background {
    child: Child,
    lines: Receiver<String>,
    log: Vec<String>,
}

impl Background {
    fn start(cmd: &mut Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Waits for a line containing `needle`, consuming the lines before it.
    #[track_caller]
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no line with `{needle}` in time:\n{}", self.log.join("\n"))
                }
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the process ended ({:?}) before a line with `{needle}`:\n{}",
                    self.child.try_wait(),
                    self.log.join("\n")
                ),
            }
        }
    }

    /// The lines read since `from` (an index into the log).
    fn since(&self, from: usize) -> String {
        self.log[from.min(self.log.len())..].join("\n")
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A failing test shows what the process said.
        if std::thread::panicking() {
            self.log.extend(self.lines.try_iter());
            eprintln!("---- {:?} said:\n{}", self.child.id(), self.log.join("\n"));
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP GET: status line and body.
fn http_get(port: u16, path: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // Read the head, then as many bytes as it announces (some servers keep
    // the connection open).
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the connection closed before the response head");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.lines().next().unwrap_or_default().to_string();
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.contains("chunked"));
    let mut body = raw[split + 4..].to_vec();
    if chunked {
        stream.read_to_end(&mut body).unwrap();
        return (status, dechunk(&body));
    }
    match length {
        Some(n) => {
            while body.len() < n {
                let k = stream.read(&mut buf).unwrap();
                assert!(k > 0, "the connection closed early");
                body.extend_from_slice(&buf[..k]);
            }
            body.truncate(n);
        }
        None => {
            stream.read_to_end(&mut body).unwrap();
        }
    }
    (status, body)
}

/// The body of a response sent with `Transfer-Encoding: chunked`.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size");
        let size = std::str::from_utf8(&raw[..eol]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

/// Writes a file the way many editors save: a new file renamed over the old.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("swp-test");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The pages of the last "wrote"/"rebuilt" line: `(… 9 pages …)`.
fn pages_in(line: &str) -> usize {
    let at = line.find(" pages").expect("a page count");
    line[..at]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The milliseconds of a rebuild line: `… in 84 ms`.
fn millis_in(line: &str) -> f64 {
    let at = line.rfind(" ms").expect("a time in ms");
    line[..at].rsplit(' ').next().unwrap().parse().unwrap()
}

/// A fixture that carries its own copy of the default layout, so that a
/// test may edit a layout file.
fn fixture_with_own_layout() -> Fixture {
    let fx = Fixture::new("basic");
    copy_dir(&repo().join("layouts/default"), &fx.path("layouts/mine"));
    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"mine\"")
    });
    fx
}

// ---- folio watch -----------------------------------------------------------------------

/// `folio watch` tells the layout that it rebuilds (`build.incremental`),
/// and the default layout then plans its sections another way (and decides
/// the sides of its dividers from the pages as placed): the PDF must be the
/// one `folio compile` writes, byte for byte. The newsletter has dividers,
/// house pages and a back cover kept on its side.
#[test]
fn watch_writes_the_pdf_compile_writes() {
    let fx = Fixture::new("newsletter");
    let out = folio()
        .args(["compile", "issue.toml", "-o", "compiled.pdf"])
        .current_dir(fx.dir.path())
        .output()
        .unwrap();
    assert_success(&out);
    let mut watch = Background::start(
        folio()
            .args(["watch", "issue.toml", "-o", "watched.pdf"])
            .current_dir(fx.dir.path()),
    );
    let line = watch.wait_for("wrote watched.pdf");
    let compiled = std::fs::read(fx.path("compiled.pdf")).unwrap();
    let watched = std::fs::read(fx.path("watched.pdf")).unwrap();
    assert!(pages_in(&line) >= 20, "{line}");
    assert!(
        compiled == watched,
        "watch and compile wrote different PDFs"
    );
}

#[test]
fn watch_rebuilds_on_every_kind_of_change_and_survives_a_broken_edit() {
    let fx = fixture_with_own_layout();
    let mut watch = Background::start(
        folio()
            .args(["watch", "--timings", "issue.toml"])
            .current_dir(fx.dir.path()),
    );
    watch.wait_for("watching issue.toml");
    let first = watch.wait_for("wrote issue.pdf");
    assert!(pages_in(&first) >= 9, "{first}");
    // --timings: the phases of the build follow its line.
    let from = watch.log.len();
    let _ = watch.wait_for(" write ");
    let phases = watch.since(from);
    for phase in ["manifest", "content", "layout", "pdf", "write"] {
        assert!(phases.contains(phase), "no {phase} in:\n{phases}");
    }
    assert!(page_texts(&fx.pdf()).concat().contains("第一篇文章的标题"));

    // An article.
    fx.edit("articles/one.md", |t| {
        t.replace("特邀行外资深讲师授课", "特邀监视测试讲师授课")
    });
    let line = watch.wait_for("rebuilt issue.pdf");
    assert!(millis_in(&line) > 0.0, "{line}");
    assert!(
        page_texts(&fx.pdf())
            .concat()
            .contains("特邀监视测试讲师授课"),
        "the PDF does not show the edit"
    );

    // A broken manifest (saved by rename): the error names file, line and
    // column with the line shown; the last good PDF stays.
    let good = std::fs::read(fx.pdf()).unwrap();
    let manifest = std::fs::read_to_string(fx.manifest()).unwrap();
    save_by_rename(
        &fx.manifest(),
        &manifest.replace("kicker = \"支行报道\"", "kiker = \"支行报道\""),
    );
    let from = watch.log.len();
    let failed = watch.wait_for("failed after");
    let shown = watch.since(from);
    assert!(
        failed.contains("issue.pdf still holds the last good build"),
        "{failed}"
    );
    assert!(shown.contains("issue.toml:"), "{shown}");
    assert!(
        shown.contains("kicker"),
        "the suggestion is missing:\n{shown}"
    );
    assert!(
        shown.contains("kiker = \"支行报道\""),
        "the line is not shown:\n{shown}"
    );
    assert_eq!(
        std::fs::read(fx.pdf()).unwrap(),
        good,
        "the last good PDF changed"
    );

    // The next good save recovers.
    save_by_rename(
        &fx.manifest(),
        &manifest.replace("感谢观看！", "下期再会！"),
    );
    watch.wait_for("rebuilt issue.pdf");
    assert!(page_texts(&fx.pdf()).concat().contains("下期再会！"));

    // A broken Typst layout points at the layout file; fixing it recovers.
    let main_typ = fx.path("layouts/mine/main.typ");
    let layout = std::fs::read_to_string(&main_typ).unwrap();
    std::fs::write(&main_typ, format!("{layout}\n#let broken = (1 +\n")).unwrap();
    let from = watch.log.len();
    watch.wait_for("failed after");
    let shown = watch.since(from);
    assert!(shown.contains("layouts/mine/main.typ:"), "{shown}");
    std::fs::write(
        &main_typ,
        format!("{layout}\n// edited by the watch test\n"),
    )
    .unwrap();
    watch.wait_for("rebuilt issue.pdf");

    // A photo.
    write_photo(&fx.path("photos/p3.jpg"), 1600, 1200, 7);
    watch.wait_for("rebuilt issue.pdf");

    // A missing article: the error names it, and creating it rebuilds.
    fx.edit("issue.toml", |t| {
        t.replace("articles/two.md", "articles/new.md")
    });
    watch.wait_for("failed after");
    std::fs::write(fx.path("articles/new.md"), "新建的文章出现了。\n").unwrap();
    watch.wait_for("rebuilt issue.pdf");
    assert!(
        page_texts(&fx.pdf())
            .concat()
            .contains("新建的文章出现了。")
    );

    let all = watch.log.join("\n");
    assert!(!all.contains("panicked"), "{all}");
    let leftovers: Vec<_> = std::fs::read_dir(fx.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".folio-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn watch_serve_answers_on_localhost_with_spreads_and_page_images() {
    let fx = Fixture::new("basic");
    let port = free_port();
    let mut watch = Background::start(
        folio()
            .args(["watch", "--serve", "--port", &port.to_string()])
            .arg(fx.manifest()),
    );
    let at = watch.wait_for("preview at");
    assert!(at.contains(&format!("http://127.0.0.1:{port}/")), "{at}");
    let pages = pages_in(&watch.wait_for("wrote"));

    let (status, body) = http_get(port, "/");
    assert!(status.contains("200"), "{status}");
    let html = String::from_utf8(body).unwrap();
    assert_eq!(html.matches("<img ").count(), pages, "{html}");
    assert_eq!(html.matches("class=\"spread\"").count(), pages / 2 + 1);
    // The cover stands alone, on the recto side.
    let first = &html[html.find("class=\"spread\"").unwrap()..];
    let first = &first[..first.find("</div>\n").unwrap()];
    assert!(
        first.contains("page blank") && first.contains("page-1\""),
        "{first}"
    );
    assert!(html.contains("EventSource"), "no live reload in:\n{html}");
    assert!(
        html.contains("sessionStorage"),
        "no scroll keeping in:\n{html}"
    );

    // Every image is a PNG of the page at 96 ppi (A4: 794 × 1123).
    let srcs: Vec<&str> = html
        .split("data-src=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let (status, png) = http_get(port, srcs[0]);
    assert!(status.contains("200"), "{status}");
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!((img.width(), img.height()), (794, 1123));
    let (status, _) = http_get(port, "/page/0123.png");
    assert!(status.contains("404"), "{status}");

    // Only the address 127.0.0.1 answers.
    if let Some(ip) = non_loopback_address() {
        assert!(
            TcpStream::connect_timeout(&(ip, port).into(), Duration::from_secs(2)).is_err(),
            "the preview answers on {ip}"
        );
    }

    // An edit changes the pages it touches and no others.
    fx.edit("articles/three.md", |t| {
        format!("{t}\n再加一段新的文字，看看预览是否更新。\n")
    });
    watch.wait_for("rebuilt");
    let (_, body) = http_get(port, "/");
    let html2 = String::from_utf8(body).unwrap();
    let srcs2: Vec<&str> = html2
        .split("data-src=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(srcs[0], srcs2[0], "the cover did not change");
    let changed = srcs.iter().zip(&srcs2).filter(|(a, b)| a != b).count();
    assert!(
        changed >= 1 && changed < pages,
        "{changed} of {pages} pages changed"
    );
}

/// An address of this machine other than loopback, if it has one.
fn non_loopback_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

// ---- The live preview in a real browser (headless Chromium) ----------------------

/// The Chromium of the system (`.ci/run` installs Debian's).
fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            && out.status.success()
        {
            return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        }
    }
    panic!("the browser test needs Chromium: apt-get install chromium (.ci/run does)");
}

/// A minimal client of the Chrome DevTools protocol over a WebSocket.
struct DevTools {
    stream: TcpStream,
    next_id: u64,
}

impl DevTools {
    fn connect(ws_url: &str) -> Self {
        let rest = ws_url.strip_prefix("ws://").expect("a ws:// address");
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = TcpStream::connect(host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: Zm9saW8tZWRpdG9yLXRlc3Q=\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "no WebSocket: {head}");
        Self { stream, next_id: 0 }
    }

    fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x5a, 0x13, 0xc7, 0x2e];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).unwrap();
    }

    fn recv(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.stream.read_exact(&mut head).unwrap();
            let fin = head[0] & 0x80 != 0;
            let opcode = head[0] & 0x0f;
            let len = match head[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.stream.read_exact(&mut b).unwrap();
                    u16::from_be_bytes(b) as usize
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.stream.read_exact(&mut b).unwrap();
                    u64::from_be_bytes(b) as usize
                }
                n => n as usize,
            };
            let mut payload = vec![0u8; len];
            self.stream.read_exact(&mut payload).unwrap();
            match opcode {
                0 | 1 => {
                    message.extend(payload);
                    if fin {
                        return String::from_utf8(message).unwrap();
                    }
                }
                8 => panic!("the browser closed the DevTools connection"),
                _ => {} // ping, pong, binary: not used by DevTools
            }
        }
    }

    /// Calls a method and returns its result, or the error object.
    fn call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let msg: Value = serde_json::from_str(&self.recv()).unwrap();
            if msg["id"] == json!(id) {
                return match msg.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(msg["result"].clone()),
                };
            }
        }
    }

    /// Evaluates JavaScript in the page; `None` while the page reloads or
    /// the expression throws.
    fn eval(&mut self, expr: &str) -> Option<Value> {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true}),
            )
            .ok()?;
        if r.get("exceptionDetails").is_some() {
            return None;
        }
        Some(r["result"]["value"].clone())
    }

    /// Evaluates `expr` until `ok` holds for its value.
    #[track_caller]
    fn until(&mut self, expr: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            if let Some(v) = self.eval(expr) {
                if ok(&v) {
                    return v;
                }
                last = v;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{what}: not in time; last state {last}");
    }
}

/// The preview page's state, as JSON.
const STATE: &str = r#"JSON.stringify({
  generation: document.body ? Number(document.body.dataset.generation) : 0,
  marker: window.folioTestMarker || null,
  scroll: window.scrollY,
  viewport: window.innerHeight,
  events: window.folioEvents ? [window.folioEvents.opens, window.folioEvents.errors, window.folioEvents.source.readyState] : null,
  spreads: Array.from(document.querySelectorAll(".spread")).map(s => s.querySelectorAll("img").length),
  pages: Array.from(document.images).map(i => ({
    page: Number(i.dataset.page), src: i.dataset.src,
    loaded: i.complete && i.naturalWidth > 0, width: i.naturalWidth,
    top: i.getBoundingClientRect().top, bottom: i.getBoundingClientRect().bottom
  }))
})"#;

fn state(dt: &mut DevTools, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let v = dt.until(STATE, what, |v| {
        v.as_str()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .is_some_and(|s| ok(&s))
    });
    serde_json::from_str(v.as_str().unwrap()).unwrap()
}

/// Whether every page image that is in view has loaded.
fn visible_loaded(s: &Value) -> bool {
    let pages = s["pages"].as_array().unwrap();
    let height = s["viewport"].as_f64().unwrap();
    let visible: Vec<&Value> = pages
        .iter()
        .filter(|p| p["bottom"].as_f64().unwrap() > 0.0 && p["top"].as_f64().unwrap() < height)
        .collect();
    !visible.is_empty() && visible.iter().all(|p| p["loaded"] == json!(true))
}

#[test]
fn watch_serve_in_a_browser_shows_spreads_reloads_on_edit_and_keeps_the_scroll() {
    let browser = chromium();
    let fx = Fixture::new("basic");
    let port = free_port();
    let mut watch = Background::start(
        folio()
            .args([
                "watch",
                "--serve",
                "--port",
                &port.to_string(),
                "issue.toml",
            ])
            .current_dir(fx.dir.path()),
    );
    let url = format!("http://127.0.0.1:{port}/");
    let pages = pages_in(&watch.wait_for("wrote issue.pdf"));

    let profile = tempfile::tempdir().unwrap();
    let mut chrome = Background::start(
        Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1200,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(&url),
    );
    let listening = chrome.wait_for("DevTools listening on ws://");
    let browser_ws = &listening[listening.find("ws://").unwrap()..];
    let devtools_port: u16 = browser_ws["ws://127.0.0.1:".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The page target that shows the preview.
    let deadline = Instant::now() + WAIT;
    let page_ws = loop {
        let (_, body) = http_get(devtools_port, "/json/list");
        let targets: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let found = targets.as_array().and_then(|ts| {
            ts.iter()
                .find(|t| {
                    t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(&url))
                })
                .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(String::from))
        });
        if let Some(ws) = found {
            break ws;
        }
        assert!(Instant::now() < deadline, "no page target: {targets}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut dt = DevTools::connect(&page_ws);

    // The pages appear, as spreads: the cover alone, then facing pages.
    let s = state(&mut dt, "the pages appear", |s| {
        s["pages"].as_array().is_some_and(|p| p.len() == pages) && visible_loaded(s)
    });
    let spreads: Vec<u64> = s["spreads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    assert_eq!(spreads[0], 1, "the cover stands alone: {spreads:?}");
    assert!(
        spreads[1..spreads.len() - 1].iter().all(|n| *n == 2),
        "{spreads:?}"
    );
    assert_eq!(spreads.iter().sum::<u64>() as usize, pages);
    assert_eq!(s["pages"][0]["width"], json!(794), "{s}");
    // Verso beside recto: page 2 left of page 3, at the same height.
    let rect = |dt: &mut DevTools, p: usize| {
        dt.eval(&format!(
            "(r => [r.left, r.top])(document.getElementById('page-{p}').getBoundingClientRect())"
        ))
        .unwrap()
    };
    let (two, three) = (rect(&mut dt, 2), rect(&mut dt, 3));
    assert!(two[0].as_f64() < three[0].as_f64(), "{two} {three}");
    assert_eq!(two[1], three[1], "{two} {three}");

    // Scroll down to the article of three.md (the last article: the page
    // that carries its title) and mark this page load.
    let target = page_texts(&fx.pdf())
        .iter()
        .rposition(|t| t.contains("一篇感言"))
        .expect("the essay's page")
        + 1;
    dt.eval(&format!(
        "document.getElementById('page-{target}').scrollIntoView(); window.folioTestMarker = 1; 0"
    ))
    .unwrap();
    let before = state(&mut dt, "the scrolled-to pages load", |s| {
        s["marker"] == json!(1) && s["scroll"].as_f64().unwrap() > 500.0 && visible_loaded(s)
    });
    let scroll = before["scroll"].as_f64().unwrap();

    // Edit the article; the page reloads by itself, at the same place,
    // with the changed page drawn anew.
    fx.edit("articles/three.md", |t| {
        format!("{t}\n浏览器测试加上的一段新文字，让这一页的版面发生变化。\n")
    });
    watch.wait_for("rebuilt issue.pdf");
    let generation = before["generation"].as_u64().unwrap();
    let after = state(&mut dt, "the page reloads after the rebuild", |s| {
        s["marker"].is_null() && s["generation"].as_u64().unwrap() > generation && visible_loaded(s)
    });
    let kept = after["scroll"].as_f64().unwrap();
    assert!(
        (kept - scroll).abs() <= 2.0,
        "the scroll position moved from {scroll} to {kept}"
    );
    let srcs = |s: &Value| -> Vec<String> {
        s["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["src"].as_str().unwrap().to_string())
            .collect()
    };
    let (old, new) = (srcs(&before), srcs(&after));
    assert_eq!(old[0], new[0], "the cover did not change");
    let changed: Vec<usize> = (0..old.len().min(new.len()))
        .filter(|&i| old[i] != new[i])
        .map(|i| i + 1)
        .collect();
    assert!(!changed.is_empty(), "no page changed after the edit");
    // A changed page that is in view was loaded anew by the browser.
    let in_view_changed = after["pages"].as_array().unwrap().iter().any(|p| {
        changed.contains(&(p["page"].as_u64().unwrap() as usize))
            && p["loaded"] == json!(true)
            && p["bottom"].as_f64().unwrap() > 0.0
            && p["top"].as_f64().unwrap() < after["viewport"].as_f64().unwrap()
    });
    assert!(
        in_view_changed,
        "changed pages {changed:?} are not shown: {after}"
    );
    drop(chrome);
}

// ---- folio preview ---------------------------------------------------------------------

#[test]
fn preview_writes_the_chosen_pages_and_spreads_as_png() {
    let fx = Fixture::new("basic");
    let out_dir = fx.path("proofs");
    let out = folio()
        .args(["preview", "--pages", "1-3", "--ppi", "30", "--out"])
        .arg(&out_dir)
        .arg(fx.manifest())
        .output()
        .unwrap();
    assert_success(&out);
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["page-01.png", "page-02.png", "page-03.png"]);
    // A4 at 30 ppi: 248 × 351 pixels; pages are drawn, not blank.
    let cover = image::open(out_dir.join("page-01.png")).unwrap().to_rgb8();
    assert_eq!(cover.dimensions(), (248, 351));
    let non_white = cover.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    assert!(non_white > 248 * 351 / 4, "the cover is nearly blank");
    let toc = image::open(out_dir.join("page-02.png")).unwrap().to_rgb8();
    assert_ne!(cover.as_raw(), toc.as_raw());

    let spreads_dir = fx.path("spreads");
    let out = folio()
        .args([
            "preview",
            "--spreads",
            "--pages",
            "1-4",
            "--ppi",
            "30",
            "--out",
        ])
        .arg(&spreads_dir)
        .arg(fx.manifest())
        .output()
        .unwrap();
    assert_success(&out);
    let single = image::open(spreads_dir.join("spread-01.png")).unwrap();
    assert_eq!((single.width(), single.height()), (248, 351));
    let pair = image::open(spreads_dir.join("spread-02-03.png"))
        .unwrap()
        .to_rgb8();
    assert_eq!(pair.dimensions(), (496, 351));
    // The left half of spread 2–3 is page 2.
    let left = image::imageops::crop_imm(&pair, 0, 0, 248, 351).to_image();
    assert_eq!(left.as_raw(), toc.as_raw());
    assert!(spreads_dir.join("spread-04-05.png").is_file());
    assert!(!spreads_dir.join("spread-06-07.png").exists());
}

#[test]
fn preview_refuses_pages_the_issue_does_not_have() {
    let fx = Fixture::new("basic");
    let out = folio()
        .args(["preview", "--pages", "90-95"])
        .arg(fx.manifest())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("selects no page"), "{}", stderr(&out));
    let out = folio()
        .args(["preview", "--pages", "4-2"])
        .arg(fx.manifest())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

// ---- folio init ----------------------------------------------------------------------------

#[test]
fn init_scaffolds_an_issue_that_compiles_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let issue = dir.path().join("spring");
    let out = folio().arg("init").arg(&issue).output().unwrap();
    assert_success(&out);
    for f in [
        "issue.toml",
        "articles/01-welcome.md",
        "photos/placeholder.jpg",
    ] {
        assert!(issue.join(f).is_file(), "{f} missing");
    }
    // The placeholder photo is a real JPEG that folio drew.
    let photo = image::open(issue.join("photos/placeholder.jpg")).unwrap();
    assert!(photo.width() >= 1200, "{}", photo.width());

    // Every key of the manifest has a comment above it (or beside it).
    let manifest = std::fs::read_to_string(issue.join("issue.toml")).unwrap();
    let lines: Vec<&str> = manifest.lines().collect();
    let mut keys = 0;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let is_key = !t.starts_with('#')
            && !t.starts_with('[')
            && t.split_once('=').is_some_and(|(k, _)| {
                let k = k.trim();
                !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            });
        if !is_key {
            continue;
        }
        keys += 1;
        let commented_above = lines[..i]
            .iter()
            .rev()
            .take_while(|l| !l.trim().is_empty())
            .any(|l| l.trim_start().starts_with('#'));
        assert!(
            commented_above || line.contains(" # "),
            "no comment for `{line}` in:\n{manifest}"
        );
    }
    assert!(keys >= 25, "only {keys} keys");

    // It compiles at once, with no warnings.
    let out = folio()
        .arg("compile")
        .arg(issue.join("issue.toml"))
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    assert_no_warnings(&err);
    let texts = page_texts(&issue.join("issue.pdf"));
    assert!(texts.len() >= 4, "{} pages", texts.len());
    let all = texts.concat();
    assert!(all.contains("欢迎使用folio"), "{all}");
    assert!(all.contains("占位照片"), "{all}");

    // init never overwrites.
    std::fs::write(issue.join("articles/01-welcome.md"), "我的稿子\n").unwrap();
    let out = folio().arg("init").arg(&issue).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("never overwrites"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(issue.join("articles/01-welcome.md")).unwrap(),
        "我的稿子\n"
    );

    // DIR defaults to the current folder.
    let here = dir.path().join("here");
    std::fs::create_dir(&here).unwrap();
    assert_success(&folio().arg("init").current_dir(&here).output().unwrap());
    assert!(here.join("issue.toml").is_file());
}

/// No diagnostic is a warning, and every count of warnings is zero.
#[track_caller]
fn assert_no_warnings(err: &str) {
    for line in err.lines() {
        assert!(!line.trim_start().starts_with("warning"), "{err}");
        let mut rest = line;
        while let Some(at) = rest.find(" warning") {
            let count: String = rest[..at]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            assert!(count.is_empty() || count == "0", "a warning in:\n{err}");
            rest = &rest[at + 8..];
        }
    }
}

// ---- folio fonts -----------------------------------------------------------------------------

#[test]
fn fonts_lists_family_style_file_and_chinese_coverage() {
    let out = folio().arg("fonts").output().unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let line = |family: &str, style: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(family) && l.contains(style))
            .unwrap_or_else(|| panic!("no {family} {style} in:\n{text}"))
            .to_string()
    };
    let serif = line("Noto Serif CJK SC", "normal 400");
    assert!(serif.contains(" yes "), "{serif}");
    assert!(
        serif.ends_with("fonts/NotoSerifCJKsc-Regular.otf"),
        "{serif}"
    );
    let bold = line("Noto Sans CJK SC", "normal 700");
    assert!(bold.contains(" yes "), "{bold}");
    let latin = line("Libertinus Serif", "italic 400");
    assert!(latin.contains(" no "), "{latin}");
    assert!(latin.contains("built into folio"), "{latin}");
    assert!(stderr(&out).contains("cover simplified Chinese"));

    // --sc keeps only the fonts that can set simplified Chinese.
    let out = folio().args(["fonts", "--sc"]).output().unwrap();
    assert_success(&out);
    let sc = String::from_utf8(out.stdout).unwrap();
    assert!(sc.contains("Noto Sans CJK SC"), "{sc}");
    assert!(!sc.contains("Libertinus"), "{sc}");
}

// ---- Diagnostics -----------------------------------------------------------------------------

/// Runs `folio [--diagnostic-format short] compile` in the fixture's folder.
fn compile_in(fx: &Fixture, short: bool) -> (Option<i32>, String) {
    let mut cmd = folio();
    if short {
        cmd.args(["--diagnostic-format", "short"]);
    }
    let out = cmd
        .args(["compile", "issue.toml"])
        .current_dir(fx.dir.path())
        .output()
        .unwrap();
    (out.status.code(), stderr(&out))
}

/// The diagnostic lines of short output (those of the `file:line:col:` form).
fn short_lines(err: &str, kind: &str) -> Vec<String> {
    err.lines()
        .filter(|l| l.contains(&format!(": {kind}")))
        .map(String::from)
        .collect()
}

#[test]
fn manifest_errors_short_format_is_one_line_with_file_line_col() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("kicker = \"支行报道\"", "kiker = \"支行报道\"")
    });
    let (code, human) = compile_in(&fx, false);
    assert_eq!(code, Some(1));
    assert!(human.contains("┌─ issue.toml:22:1"), "{human}");
    assert!(human.contains("kiker = \"支行报道\""), "{human}");
    assert!(human.contains("^^^^"), "{human}");

    let (code, short) = compile_in(&fx, true);
    assert_eq!(code, Some(1));
    let errors = short_lines(&short, "error");
    assert_eq!(errors.len(), 1, "{short}");
    assert!(errors[0].starts_with("issue.toml:22:1: error"), "{short}");
    assert!(errors[0].contains("kicker"), "{short}");
    assert!(
        !short.contains('│'),
        "short output shows source lines:\n{short}"
    );
}

#[test]
fn article_warning_points_at_the_markdown_line() {
    let fx = Fixture::new("basic");
    fx.edit("articles/two.md", |t| {
        format!("{t}\n没有字体的字符🦀在这里。\n")
    });
    let line = std::fs::read_to_string(fx.path("articles/two.md"))
        .unwrap()
        .lines()
        .position(|l| l.contains('🦀'))
        .unwrap()
        + 1;
    let at = format!("articles/two.md:{line}:8");
    let (code, human) = compile_in(&fx, false);
    assert_eq!(code, Some(0), "{human}");
    assert!(human.contains(&format!("┌─ {at}")), "{human}");
    assert!(human.contains("没有字体的字符🦀在这里。"), "{human}");
    let (_, short) = compile_in(&fx, true);
    let warnings = short_lines(&short, "warning");
    assert_eq!(warnings.len(), 1, "{short}");
    assert!(
        warnings[0].starts_with(&format!("{at}: warning")),
        "{short}"
    );
    assert!(warnings[0].contains("U+1F980"), "{short}");
    assert!(!short.contains('│'), "{short}");
}

#[test]
fn typst_errors_point_at_the_trusted_article_and_at_the_layout() {
    // A trusted .typ article with an error on its third line.
    let fx = Fixture::new("basic");
    std::fs::write(
        fx.path("articles/extra.typ"),
        "这是一篇受信任的 Typst 文章。\n\n#nonexistent-call(1)\n",
    )
    .unwrap();
    fx.edit("issue.toml", |t| {
        t.replace(
            "body = \"articles/two.md\"",
            "body = \"articles/extra.typ\"\ntrusted = true",
        )
    });
    let (code, human) = compile_in(&fx, false);
    assert_eq!(code, Some(1), "{human}");
    assert!(human.contains("┌─ articles/extra.typ:3:"), "{human}");
    assert!(human.contains("#nonexistent-call(1)"), "{human}");
    assert!(human.contains("^^^"), "{human}");
    let (_, short) = compile_in(&fx, true);
    let errors = short_lines(&short, "error");
    assert_eq!(errors.len(), 1, "{short}");
    assert!(errors[0].starts_with("articles/extra.typ:3:"), "{short}");
    assert!(
        errors[0].contains("unknown variable: nonexistent-call"),
        "{short}"
    );

    // An issue's own layout with an error: the layout file is named.
    let fx = Fixture::new("basic");
    std::fs::create_dir_all(fx.path("layouts/plain")).unwrap();
    std::fs::write(
        fx.path("layouts/plain/main.typ"),
        "#let data = json(\"/_folio/issue.json\")\n= #data.issue.magazine\n#data.issue.no-such-key\n",
    )
    .unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"plain\"")
    });
    let (code, human) = compile_in(&fx, false);
    assert_eq!(code, Some(1), "{human}");
    assert!(human.contains("┌─ layouts/plain/main.typ:3:"), "{human}");
    assert!(human.contains("#data.issue.no-such-key"), "{human}");
    let (_, short) = compile_in(&fx, true);
    let errors = short_lines(&short, "error");
    assert_eq!(errors.len(), 1, "{short}");
    assert!(
        errors[0].starts_with("layouts/plain/main.typ:3:"),
        "{short}"
    );
    assert!(!short.contains("issue data"), "{short}");
}
