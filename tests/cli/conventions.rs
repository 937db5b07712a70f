//! What people expect of a command-line tool: `--version`, help with
//! examples, shell completions, manual pages, colour only on a terminal;
//! and the layouts built into folio (`folio layouts`).

use std::process::Command;

use crate::common::*;

const SUBCOMMANDS: [&str; 9] = [
    "compile",
    "preflight",
    "watch",
    "preview",
    "init",
    "fonts",
    "layouts",
    "completions",
    "convert",
];

#[test]
fn version_names_the_typst_it_embeds() {
    let out = folio().arg("--version").output().unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.trim(),
        format!("folio {} (Typst 0.15.1)", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_subcommand_help_shows_an_example() {
    for sub in SUBCOMMANDS {
        let out = folio().args([sub, "--help"]).output().unwrap();
        assert_success(&out);
        let text = String::from_utf8(out.stdout).unwrap();
        let examples = text
            .split_once("Examples:")
            .unwrap_or_else(|| panic!("folio {sub} --help has no examples:\n{text}"))
            .1;
        assert!(
            examples.contains(&format!("folio {sub}")),
            "folio {sub} --help: no example of it:\n{text}"
        );
    }
}

#[test]
fn completions_for_every_shell_know_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = folio().args(["completions", shell]).output().unwrap();
        assert_success(&out);
        let script = String::from_utf8(out.stdout).unwrap();
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: {sub} is missing");
        }
        assert!(
            script.contains("layout-dir"),
            "{shell}: --layout-dir is missing"
        );
    }
    let out = folio().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages_for_folio_and_each_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = folio().arg("man").arg(dir.path()).output().unwrap();
    assert_success(&out);
    let page = std::fs::read_to_string(dir.path().join("folio.1")).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH folio 1"),
        "{page}"
    );
    for sub in SUBCOMMANDS {
        let page = std::fs::read_to_string(dir.path().join(format!("folio-{sub}.1")))
            .unwrap_or_else(|e| panic!("folio-{sub}.1: {e}"));
        assert!(page.contains(&format!(".TH folio-{sub} 1")), "{page}");
        assert!(page.contains("Examples:"), "folio-{sub}.1 has no examples");
    }
    assert!(!dir.path().join("folio-help.1").exists());
    assert!(!dir.path().join("folio-man.1").exists());
}

/// A compile that fails with a diagnostic, run under `script` (a pseudo
/// terminal) or through a pipe, with and without NO_COLOR.
fn failing_compile(tty: bool, no_color: Option<&str>) -> String {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| t.replace("kicker = ", "kiker = "));
    let bin = env!("CARGO_BIN_EXE_folio");
    let mut cmd = if tty {
        let mut c = Command::new("script");
        c.args(["-qec"])
            .arg(format!("{bin} compile {}", fx.manifest().display()))
            .arg("/dev/null");
        c
    } else {
        let mut c = Command::new(bin);
        c.arg("compile").arg(fx.manifest());
        c
    };
    cmd.env("TERM", "xterm-256color").env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("script (util-linux) must be installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("kiker"), "{text}");
    text
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    const ESC: char = '\u{1b}';
    assert!(
        failing_compile(true, None).contains(ESC),
        "no colour on a terminal"
    );
    assert!(
        failing_compile(true, Some("")).contains(ESC),
        "an empty NO_COLOR counts as unset"
    );
    assert!(
        !failing_compile(true, Some("1")).contains(ESC),
        "colour despite NO_COLOR"
    );
    assert!(
        !failing_compile(false, None).contains(ESC),
        "colour into a pipe"
    );
}

#[test]
fn layouts_lists_where_each_comes_from() {
    let dir = tempfile::tempdir().unwrap();
    let out = folio()
        .arg("layouts")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    // The program in target/ runs from the source tree, whose layouts
    // override the built-in ones (same files).
    for name in ["default", "report"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} is not listed:\n{text}"));
        assert!(line.contains("the source tree"), "{line}");
        assert!(line.contains("built into folio"), "{line}");
    }
    assert!(!text.lines().any(|l| l.starts_with("_folio")), "{text}");
}

/// An exported built-in layout, used from the issue's own layouts/ folder
/// under a new name and from --layout-dir, lays out the same PDF as the
/// original, and `folio layouts` names the issue's own one.
#[test]
fn exported_layout_compiles_to_the_same_pdf() {
    let fx = Fixture::new("basic");
    assert_success(&fx.compile());
    let original = std::fs::read(fx.pdf()).unwrap();

    let house = fx.path("layouts/house");
    let out = folio()
        .args(["layouts", "export", "default"])
        .arg(&house)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(house.join("main.typ").is_file());
    // Never overwrites.
    let again = folio()
        .args(["layouts", "export", "default"])
        .arg(&house)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );

    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"house\"")
    });
    assert!(
        std::fs::read_to_string(fx.manifest())
            .unwrap()
            .contains("layout = \"house\"")
    );
    let own = fx.path("own.pdf");
    assert_success(&fx.compile_with(&["-o", own.to_str().unwrap()]));
    assert!(
        std::fs::read(&own).unwrap() == original,
        "the issue's own copy differs"
    );

    let listed = folio()
        .args(["layouts", "--issue"])
        .arg(fx.manifest())
        .output()
        .unwrap();
    let text = String::from_utf8(listed.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("house"))
        .unwrap_or_default();
    assert!(line.contains("the issue's own layouts/"), "{text}");

    // The same folder through --layout-dir.
    std::fs::rename(fx.path("layouts"), fx.path("elsewhere")).unwrap();
    let via = fx.path("via.pdf");
    let dir = fx.path("elsewhere");
    assert_success(&fx.compile_with(&[
        "--layout-dir",
        dir.to_str().unwrap(),
        "-o",
        via.to_str().unwrap(),
    ]));
    assert!(
        std::fs::read(&via).unwrap() == original,
        "--layout-dir's copy differs"
    );
}

#[test]
fn unknown_layout_lists_the_layouts_there_are() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"defualt\"")
    });
    let out = fx.compile();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("did you mean `default`?"), "{err}");
    assert!(err.contains("layouts available: default, report"), "{err}");
}
