//! A Word article from fuzzer bytes: the .docx reader, then the Markdown
//! that `folio convert` writes, read back (folio::fuzz::docx).
#![no_main]

use std::sync::LazyLock;

use folio::fuzz::{self, Folder};
use libfuzzer_sys::fuzz_target;

static FOLDER: LazyLock<Folder> = LazyLock::new(|| Folder::new().expect("a temporary folder"));

fuzz_target!(|data: &[u8]| {
    let _ = fuzz::docx(&FOLDER, data);
});
