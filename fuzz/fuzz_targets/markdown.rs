//! An article from fuzzer bytes: Markdown to the layout's data
//! (folio::fuzz::markdown).
#![no_main]

use std::sync::LazyLock;

use folio::fuzz::{self, Folder};
use libfuzzer_sys::fuzz_target;

static FOLDER: LazyLock<Folder> = LazyLock::new(|| Folder::new().expect("a temporary folder"));

fuzz_target!(|data: &[u8]| {
    fuzz::markdown(&FOLDER, data);
});
