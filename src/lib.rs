//! folio: a compiler for printed magazine issues.
//!
//! Data flows one way: [`manifest`] (raw serde structs) → [`model`] (the
//! checked issue, paths confined) → [`content`] (Markdown to layout data) →
//! [`world`] (files, fonts, fixed date) → [`document`] (Typst layout) →
//! [`pdf`] → [`output`] (atomic write). [`session`] runs the stages; each
//! subcommand lives in [`cmd`].
//!
//! The pipeline is a library so that the fuzz targets (`fuzz/`) can drive
//! each stage directly; `src/main.rs` is only the command line.

pub mod cli;
pub mod cmd;
pub mod content;
pub mod deadline;
pub mod document;
pub mod error;
pub mod filecache;
pub mod fuzz;
pub mod inspect;
pub mod live;
pub mod manifest;
pub mod model;
pub mod output;
pub mod pdf;
pub mod prefetch;
pub mod preflight;
pub mod prepress;
pub mod raster;
pub mod screen;
pub mod session;
pub mod world;
