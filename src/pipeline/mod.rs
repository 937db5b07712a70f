//! From the editor's files to the layout's data: the manifest (raw serde
//! structs) → the checked issue model (paths resolved and confined) → the
//! content conversion (Markdown to the typed content tree).

pub mod content;
pub mod manifest;
pub mod markdown;
pub mod model;
pub mod resources;
pub mod text;
pub mod tree;
