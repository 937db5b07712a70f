//! Integration tests: run the real `folio` binary on fixture issues and
//! check what it writes. One test binary; one module per area.

mod common;
mod compile;
mod conventions;
mod design;
mod dist;
mod docx;
mod editor;
mod errors;
mod hostile;
mod layout_checks;
mod prepress;
mod readers;
mod robust;
mod roundtrip;
