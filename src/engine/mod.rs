//! Typst's side: the world (files, fonts, fixed date) with its caches, and
//! the laid-out document with the one walker over its frames.

pub mod document;
pub mod filecache;
pub mod frames;
pub mod memory;
pub mod prefetch;
pub mod proxy;
pub mod world;
