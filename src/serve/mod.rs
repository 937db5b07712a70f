//! The live preview served to a browser during `folio watch --serve`.

pub mod live;
