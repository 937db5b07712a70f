//! Checks of the laid-out document and the PDF: glyph coverage, preflight
//! as a print shop runs it, and the layout dump the tests read.

pub mod glyphs;
pub mod inspect;
pub mod preflight;
