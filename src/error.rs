//! Typed errors and warnings, and the one printer that shows them.
//!
//! folio's own stages (manifest, model, content) report [`Diag`]s that point
//! at a file and, where known, a span in it. Typst's diagnostics from the
//! layout are printed by typst-kit's emitter against the world. Both go
//! through [`Printer`], so every message a user sees has the same shape.

use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use ecow::EcoVec;
use typst::diag::SourceDiagnostic;
use typst_kit::diagnostics::{DiagnosticFormat, DiagnosticWorld};

/// Where in a file something is.
#[derive(Debug, Clone)]
pub struct Location {
    pub path: PathBuf,
    /// The file's text and a byte span in it, when the file is text.
    pub text: Option<(Arc<str>, Range<usize>)>,
}

impl Location {
    /// A whole file.
    pub fn file(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            text: None,
        }
    }

    /// A span of a text file.
    pub fn in_text(path: &Path, text: &str, span: Range<usize>) -> Self {
        let end = span.end.min(text.len());
        let start = span.start.min(end);
        Self {
            path: path.to_path_buf(),
            text: Some((Arc::from(text), start..end)),
        }
    }

    /// A span of a text file whose text is already shared.
    pub fn in_shared(path: &Path, text: &Arc<str>, span: Range<usize>) -> Self {
        let end = span.end.min(text.len());
        let start = span.start.min(end);
        Self {
            path: path.to_path_buf(),
            text: Some((text.clone(), start..end)),
        }
    }

    /// 1-based line and column of the span's start, if known.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let (text, span) = self.text.as_ref()?;
        let before = &text[..span.start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, col))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", display_path(&self.path))?;
        if let Some((line, col)) = self.line_col() {
            write!(f, ":{line}:{col}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One error or warning of folio's own stages.
#[derive(Debug, Clone)]
pub struct Diag {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub hints: Vec<String>,
}

impl Diag {
    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            message: message.into(),
            location,
            hints: vec![],
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// Everything that can stop a command.
#[derive(Debug)]
pub enum Error {
    /// The command line was wrong (exit code 2).
    Usage(String),
    /// A content error in one of folio's stages (exit code 1).
    Content(Box<Diag>),
    /// Typst reported errors while laying out the issue (exit code 1).
    Typst(EcoVec<SourceDiagnostic>),
    /// The command found problems and has already reported them (exit
    /// code 1), e.g. preflight errors.
    Reported,
}

impl Error {
    /// An error at a location.
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Self::Content(Box::new(Diag {
            severity: Severity::Error,
            message: message.into(),
            location: Some(location),
            hints: vec![],
        }))
    }

    /// An error about a whole file.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self::at(Location::file(path), message)
    }

    /// An I/O error about a file, with what we were trying to do.
    pub fn io(path: &Path, doing: &str, err: std::io::Error) -> Self {
        Self::file(path, format!("{doing}: {}", describe_io(&err)))
    }

    /// An error with no file.
    pub fn plain(message: impl Into<String>) -> Self {
        Self::Content(Box::new(Diag {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            hints: vec![],
        }))
    }

    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        match self {
            Self::Content(mut d) => {
                d.hints.push(hint.into());
                Self::Content(d)
            }
            other => other,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Usage(_) => 2,
            Self::Content(_) | Self::Typst(_) | Self::Reported => 1,
        }
    }
}

/// An I/O error in words, without Rust's "(os error 2)" noise.
pub fn describe_io(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match err.kind() {
        NotFound => "no such file".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "it is a folder, not a file".into(),
        StorageFull => "the disk is full".into(),
        ReadOnlyFilesystem => "the file system is read-only".into(),
        _ => {
            let s = err.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// A path as the user should see it: relative to the working directory
/// when it lies below it.
pub fn display_path(path: &Path) -> String {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(&cwd)
    {
        return rel.display().to_string();
    }
    path.display().to_string()
}

/// Lines longer than this many bytes are not shown whole in a message.
const MAX_SHOWN_LINE: usize = 300;

/// Whether the line of `text` that holds byte `at` is too long to show.
fn long_line(text: &str, at: usize) -> bool {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    end - start > MAX_SHOWN_LINE
}

/// About 40 characters either side of byte `at`, on one line.
fn excerpt(text: &str, at: usize) -> String {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before: String = text[..at]
        .chars()
        .rev()
        .take_while(|c| *c != '\n')
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = text[at..]
        .chars()
        .take_while(|c| *c != '\n')
        .take(40)
        .collect();
    format!("…{before}⟨here⟩{after}…")
}

/// Prints diagnostics to standard error, in one style.
#[derive(Clone)]
pub struct Printer {
    format: DiagnosticFormat,
    color: termcolor::ColorChoice,
}

impl Printer {
    pub fn new(format: DiagnosticFormat) -> Self {
        // Colour only on a terminal that can show it (not TERM=dumb), and
        // never when NO_COLOR is set to anything but the empty string
        // (no-color.org; termcolor's own check would take an empty one).
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let color = if tty && !no_color && !dumb {
            termcolor::ColorChoice::Always
        } else {
            termcolor::ColorChoice::Never
        };
        Self { format, color }
    }

    /// Prints one of folio's own diagnostics.
    pub fn diag(&self, diag: &Diag) {
        let mut out = termcolor::StandardStream::stderr(self.color);
        self.diag_into(&mut out, diag);
    }

    /// Renders an error as [`Printer::error`] would print it, without
    /// colour, into a string (for tests and the fuzz targets).
    pub fn render(&self, err: &Error, world: Option<&dyn DiagnosticWorld>) -> String {
        let mut out = termcolor::NoColor::new(Vec::new());
        match (err, world) {
            (Error::Content(diag), _) => self.diag_into(&mut out, diag),
            (Error::Typst(diags), Some(world)) => {
                let _ = typst_kit::diagnostics::emit(&mut out, world, diags.iter(), self.format);
            }
            (Error::Typst(diags), None) => {
                for d in diags {
                    let _ = writeln!(out, "error: {}", d.message);
                }
            }
            (Error::Usage(msg), _) => {
                let _ = writeln!(out, "error: {msg}");
            }
            _ => {}
        }
        String::from_utf8_lossy(&out.into_inner()).into_owned()
    }

    fn diag_into(&self, out: &mut dyn termcolor::WriteColor, diag: &Diag) {
        let config = self.config();
        let base = match diag.severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
        };
        let notes: Vec<String> = diag.hints.iter().map(|h| format!("hint: {h}")).collect();
        match &diag.location {
            Some(
                loc @ Location {
                    text: Some((text, span)),
                    ..
                },
            ) if long_line(text, span.start) => {
                // A line of thousands of characters (a minified or hostile
                // file) is not printed whole: its place and an excerpt are.
                let mut notes = notes;
                notes.insert(0, format!("near: {}", excerpt(text, span.start)));
                let file = SimpleFile::new(String::new(), "");
                let d = base
                    .with_message(format!("{loc}: {}", diag.message))
                    .with_notes(notes);
                let _ = term::emit(out, &config, &file, &d);
            }
            Some(Location {
                path,
                text: Some((text, span)),
            }) => {
                let file = SimpleFile::new(display_path(path), text.as_ref());
                let d = base
                    .with_message(&diag.message)
                    .with_labels(vec![Label::primary((), span.clone())])
                    .with_notes(notes);
                let _ = term::emit(out, &config, &file, &d);
            }
            Some(Location { path, text: None }) => {
                let msg = format!("{}: {}", display_path(path), diag.message);
                let file = SimpleFile::new(String::new(), "");
                let _ = term::emit(
                    out,
                    &config,
                    &file,
                    &base.with_message(msg).with_notes(notes),
                );
            }
            None => {
                let file = SimpleFile::new(String::new(), "");
                let d = base.with_message(&diag.message).with_notes(notes);
                let _ = term::emit(out, &config, &file, &d);
            }
        }
    }

    /// Prints Typst's diagnostics against the world they came from.
    pub fn typst<'a>(
        &self,
        world: &dyn DiagnosticWorld,
        diags: impl IntoIterator<Item = &'a SourceDiagnostic>,
    ) {
        let mut out = termcolor::StandardStream::stderr(self.color);
        let _ = typst_kit::diagnostics::emit(&mut out, world, diags, self.format);
    }

    /// Prints an error that stopped a command.
    pub fn error(&self, err: &Error, world: Option<&dyn DiagnosticWorld>) {
        match err {
            Error::Usage(msg) => {
                let _ = writeln!(std::io::stderr(), "error: {msg}");
            }
            Error::Content(diag) => self.diag(diag),
            Error::Reported => {}
            Error::Typst(diags) => match world {
                Some(world) => self.typst(world, diags.iter()),
                None => {
                    for d in diags {
                        let _ = writeln!(std::io::stderr(), "error: {}", d.message);
                    }
                }
            },
        }
    }

    fn config(&self) -> term::Config {
        let mut config = term::Config {
            tab_width: 2,
            ..Default::default()
        };
        if self.format == DiagnosticFormat::Short {
            config.display_style = term::DisplayStyle::Short;
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let loc = Location::in_text(Path::new("a.toml"), "ab\n臻境x = 1\n", 9..10);
        assert_eq!(loc.line_col(), Some((2, 3)));
        assert_eq!(loc.to_string(), "a.toml:2:3");
    }

    #[test]
    fn exit_codes() {
        assert_eq!(Error::Usage("x".into()).exit_code(), 2);
        assert_eq!(Error::plain("x").exit_code(), 1);
    }
}
