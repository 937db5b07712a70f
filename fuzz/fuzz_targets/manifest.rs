//! `issue.toml` from fuzzer bytes: load, check, convert (folio::fuzz::manifest).
#![no_main]

use std::sync::LazyLock;

use folio::fuzz::{self, Folder};
use folio::pipeline::model::Resources;
use libfuzzer_sys::fuzz_target;

static SETUP: LazyLock<(Folder, Resources)> = LazyLock::new(|| {
    (
        Folder::new().expect("a temporary folder"),
        Resources::find(None).expect("folio's layouts"),
    )
});

fuzz_target!(|data: &[u8]| {
    let (folder, resources) = &*SETUP;
    fuzz::manifest(folder, resources, data);
});
