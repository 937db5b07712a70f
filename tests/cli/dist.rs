//! The release archive (`dist/build.sh`): unpacked in an empty folder with
//! the source tree out of sight, it compiles the sample issue and a new
//! `folio init` issue to the same bytes as the program built in the tree.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// Builds the archive from the binary cargo test already built.
fn build_archive(out: &Path) -> PathBuf {
    let run = Command::new("bash")
        .arg(repo().join("dist/build.sh"))
        .arg("--bin")
        .arg(env!("CARGO_BIN_EXE_folio"))
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert_success(&run);
    let path = PathBuf::from(String::from_utf8(run.stdout).unwrap().trim().to_string());
    let name = path.file_name().unwrap().to_str().unwrap().to_string();
    assert_eq!(
        name,
        format!("folio-{}-x86_64-linux.tar.gz", env!("CARGO_PKG_VERSION"))
    );
    path
}

fn tar_list(archive: &Path) -> Vec<String> {
    let out = Command::new("tar")
        .arg("-tzf")
        .arg(archive)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_once('/').map_or("", |(_, rest)| rest).to_string())
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs root (a mount namespace); run with --include-ignored, as .ci/run does"]
fn release_archive_compiles_the_same_pdf_with_the_source_tree_hidden() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let archive = build_archive(&work.join("out"));

    let files = tar_list(&archive);
    for want in [
        "folio",
        "fonts/NotoSerifCJKsc-Regular.otf",
        "fonts/LICENSE-OFL.txt",
        "README.md",
        "INSTALL.md",
        "issue.toml",
        "examples/zhenjing-2024-01/articles/01-peixunban.md",
        "man/man1/folio.1",
        "man/man1/folio-compile.1",
        "completions/folio.bash",
        "completions/_folio",
        "completions/folio.fish",
        "completions/_folio.ps1",
        "LICENSES/crates.md",
        "LICENSES/folio.md",
        "LICENSES/Apache-2.0.txt",
        "LICENSES/fonts-OFL-1.1.txt",
        "docs/platforms.md",
    ] {
        assert!(
            files.iter().any(|f| f == want),
            "{want} is not in the archive: {files:?}"
        );
    }
    // Layouts are built into the program, not shipped as files.
    assert!(
        !files.iter().any(|f| f.starts_with("layouts/")),
        "{files:?}"
    );

    // Unpack in an empty folder.
    let unpacked = work.join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let tar = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(tar.success());
    let top = std::fs::read_dir(&unpacked)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect::<Vec<_>>();
    assert_eq!(top.len(), 1, "{top:?}");
    let home = work.join("home");
    std::fs::create_dir(&home).unwrap();

    // In a mount namespace of its own, the source tree is covered by an
    // empty tmpfs: the unpacked program can reach nothing of it (neither
    // layouts nor fonts), and finds no fonts installed for the user.
    let script = r#"set -e
mount -t tmpfs folio-hidden "$REPO"
test ! -e "$REPO/Cargo.toml" && echo "tree=hidden"
cd "$TOP"
set +e
./folio compile issue.toml -o "$WORK/archive-sample.pdf"
echo "sample=$?"
./folio init "$WORK/new"
echo "init=$?"
./folio compile "$WORK/new/issue.toml" -o "$WORK/archive-new.pdf"
echo "new=$?"
./folio layouts
echo "layouts=$?"
# The program alone (as `cargo install` leaves it): no fonts until
# `folio fonts install` has copied them into the data folder.
mkdir "$WORK/bin" && cp folio "$WORK/bin/folio"
"$WORK/bin/folio" compile "$WORK/new/issue.toml" -o "$WORK/alone-before.pdf"
echo "alone-before=$?"
"$WORK/bin/folio" fonts install --from fonts
echo "install=$?"
"$WORK/bin/folio" compile "$WORK/new/issue.toml" -o "$WORK/alone.pdf"
echo "alone=$?"
"#;
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", script])
        .env("REPO", repo())
        .env("TOP", &top[0])
        .env("WORK", work)
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .env_remove("XDG_DATA_HOME")
        .env_remove("FOLIO_HOME")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    let err = stderr(&out);
    assert!(
        report.contains("tree=hidden"),
        "cannot hide the source tree (unshare --mount needs root): {err}"
    );
    for step in [
        "sample=0",
        "init=0",
        "new=0",
        "layouts=0",
        "alone-before=1",
        "install=0",
        "alone=0",
    ] {
        assert!(report.contains(step), "{step}:\n{report}\n{err}");
    }
    assert!(report.contains("built into folio"), "{report}");
    // The program alone said what is missing and how to get it.
    assert!(err.contains("cannot find folio's fonts"), "{err}");
    assert!(err.contains("folio fonts install"), "{err}");
    assert!(
        home.join(".local/share/folio/fonts/LICENSE-OFL.txt")
            .is_file()
    );

    // The same issues compiled by the program in the tree.
    let tree_sample = work.join("tree-sample.pdf");
    assert_success(
        &folio()
            .arg("compile")
            .arg(repo().join("issue.toml"))
            .arg("-o")
            .arg(&tree_sample)
            .output()
            .unwrap(),
    );
    let tree_new = work.join("tree-new.pdf");
    assert_success(
        &folio()
            .arg("compile")
            .arg(work.join("new/issue.toml"))
            .arg("-o")
            .arg(&tree_new)
            .output()
            .unwrap(),
    );
    for (a, b) in [
        (work.join("archive-sample.pdf"), tree_sample),
        (work.join("archive-new.pdf"), tree_new.clone()),
        (work.join("alone.pdf"), tree_new),
    ] {
        let (x, y) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert!(x == y, "{} and {} differ", a.display(), b.display());
    }
}
