//! The whole `folio compile` of a tiny issue made from fuzzer bytes
//! (folio::fuzz::compile): manifest, article, photos, layout, PDF.
#![no_main]

use std::sync::LazyLock;

use folio::fuzz::{self, Folder};
use libfuzzer_sys::fuzz_target;

static FOLDER: LazyLock<Folder> = LazyLock::new(|| Folder::new().expect("a temporary folder"));

fuzz_target!(|data: &[u8]| {
    // An error is a fine outcome; a panic, abort or hang is a bug.
    let _ = fuzz::compile(&FOLDER, data);
});
