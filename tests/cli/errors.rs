//! Every early failure of every subcommand ends with a message (issue: errors
//! printed once, in `main`): conflicting standards, a bad page range, a
//! layout that never ends, folio's own resources missing.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The subcommands that build, with the arguments each needs besides the
/// manifest.
fn building(fx: &Fixture) -> Vec<(&'static str, Vec<String>)> {
    let preview = fx.path("preview").to_string_lossy().into_owned();
    vec![
        ("compile", vec![]),
        ("preflight", vec![]),
        ("preview", vec!["--out".into(), preview]),
        ("watch", vec![]),
    ]
}

/// Runs a command that should end by itself, killing it after `limit`.
fn run_limited(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{cmd:?} did not end within {limit:?}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[track_caller]
fn expect_message(what: &str, out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{what}: {err}");
    assert!(err.contains(needle), "{what}: no `{needle}` in:\n{err}");
}

#[test]
fn conflicting_standards_are_refused_with_a_message_by_every_command() {
    let fx = Fixture::new("basic");
    for (sub, extra) in building(&fx) {
        let mut cmd = folio();
        cmd.arg(sub).arg(fx.manifest()).args(&extra).args([
            "--standard",
            "x-4",
            "--standard",
            "a-2b",
        ]);
        let out = run_limited(cmd, Duration::from_secs(60));
        expect_message(sub, &out, 2, "PDF/X-4 and PDF/A cannot be combined");
    }
}

#[test]
fn a_bad_page_range_is_refused_with_a_message() {
    let fx = Fixture::new("basic");
    for bad in ["0", "9-3", "x"] {
        let out = folio()
            .arg("preview")
            .arg(fx.manifest())
            .args(["--pages", bad, "--out"])
            .arg(fx.path("pv"))
            .output()
            .unwrap();
        expect_message(bad, &out, 2, "--pages");
    }
}

#[test]
fn a_layout_that_never_ends_stops_every_command_that_builds() {
    let fx = Fixture::new("basic");
    std::fs::create_dir_all(fx.path("layouts/loop")).unwrap();
    std::fs::write(
        fx.path("layouts/loop/main.typ"),
        "#let n = 0\n#while n < 9999 {\n  let m = 0\n  while m < 9999 {\n    let k = 0\n    while k < 9999 { k += 1 }\n    m += 1\n  }\n  n += 1\n}\n",
    )
    .unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"loop\"")
    });
    for (sub, extra) in building(&fx) {
        let mut cmd = folio();
        cmd.arg(sub)
            .arg(fx.manifest())
            .args(&extra)
            .args(["--timeout", "1"]);
        let out = run_limited(cmd, Duration::from_secs(60));
        expect_message(sub, &out, 1, "took longer than 1 s and was stopped");
    }
}

#[test]
fn a_broken_manifest_is_reported_once_by_every_command() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.manifest(), "[issue]\nmagazine = \"x\"\nnumber = 3\n").unwrap();
    for (sub, extra) in building(&fx) {
        let mut cmd = folio();
        cmd.arg(sub).arg(fx.manifest()).args(&extra);
        if sub == "watch" {
            // watch keeps running after a broken save; it is tested
            // elsewhere (tests/cli/editor.rs).
            continue;
        }
        let out = run_limited(cmd, Duration::from_secs(60));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{sub}: {err}");
        assert!(err.contains("issue.toml"), "{sub}: {err}");
        assert_eq!(
            err.matches("error:").count(),
            1,
            "{sub} printed the error more than once or not at all: {err}"
        );
    }
}

/// folio copied out of the build tree, run with the source tree hidden (a
/// tmpfs mounted over it in a private mount namespace) and no FOLIO_HOME:
/// each subcommand that needs folio's layouts or fonts says so.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs root (a mount namespace); run with --include-ignored, as .ci/run does"]
fn every_command_says_when_folio_resources_are_missing() {
    let fx = Fixture::new("basic");
    let bin_dir = tempfile::tempdir().unwrap();
    let bin = bin_dir.path().join("folio");
    std::fs::copy(env!("CARGO_BIN_EXE_folio"), &bin).unwrap();
    let repo = repo();
    let mut subs: Vec<(&str, Vec<String>)> = building(&fx);
    subs.push(("fonts", vec![]));
    for (sub, extra) in subs {
        let mut script =
            String::from("mount -t tmpfs folio-hide \"$1\" || exit 97\nshift\nexec \"$@\"\n");
        script.push('\n');
        let mut cmd = Command::new("unshare");
        cmd.args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
            "sh",
        ])
        .arg(&repo)
        .arg(&bin)
        .arg(sub);
        if sub != "fonts" {
            cmd.arg(fx.manifest());
        }
        cmd.args(&extra)
            .env("NO_COLOR", "1")
            .env_remove("FOLIO_HOME");
        let out = run_limited(cmd, Duration::from_secs(60));
        assert_ne!(
            out.status.code(),
            Some(97),
            "this test needs root to mount a tmpfs in a mount namespace: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{sub}: {err}");
        assert!(
            err.contains("cannot find folio's"),
            "{sub} did not say what is missing: {err}"
        );
        assert!(Path::new(&repo).join("Cargo.toml").exists());
    }
}
