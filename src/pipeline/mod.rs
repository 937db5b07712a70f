//! From the editor's files to the layout's data: the manifest (raw serde
//! structs) → the checked issue model (paths resolved and confined) → the
//! content conversion (Markdown and Word articles to the typed content
//! tree).

pub mod content;
pub mod docx;
pub mod encoding;
pub mod manifest;
pub mod markdown;
pub mod model;
pub mod photo;
pub mod resources;
pub mod text;
pub mod to_markdown;
pub mod tree;
pub mod verify;
