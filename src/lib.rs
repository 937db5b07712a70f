//! folio: a compiler for printed magazine issues.
//!
//! Data flows one way, one folder per group of stages:
//!
//! - [`pipeline`]: the manifest (raw serde structs) → the checked issue
//!   model (paths confined) → the content conversion (Markdown to the typed
//!   content tree);
//! - [`engine`]: the Typst world (files, fonts, fixed date) → the laid-out
//!   document, and the one walker over its frames;
//! - [`export`]: the PDF (print and screen), PNG rasters, the atomic write;
//! - [`check`]: glyph coverage, preflight, the layout dump for tests;
//! - [`build`]: the one build step every command shares (`Session`,
//!   `BuildConfig`, the time limit, the summary);
//! - [`serve`]: the live preview; [`cmd`]: one module per subcommand.
//!
//! No module imports one of a later stage. The pipeline is a library so
//! that the fuzz targets (`fuzz/`) can drive each stage directly;
//! `src/main.rs` is only the command line.

pub mod build;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod engine;
pub mod error;
pub mod export;
pub mod fuzz;
pub mod pipeline;
pub mod serve;
