//! Giving memory back once the layout is done.
//!
//! Typst memoises every layout pass (comemo) until the caches are evicted,
//! and `folio compile` lays out once: after the layout, the memoised work of
//! its passes is no longer needed (the document holds what the PDF export
//! reads). Dropping it on a second thread while the PDF is exported lowers
//! the peak (the export no longer adds to the layout's memory). It is not
//! free: the drop takes 0.3 s on a 456-page volume, and the export was
//! measured 0.4-0.5 s slower beside it (comemo locks its list of caches
//! while it evicts, and the export's first call of a memoised function
//! waits for that lock; see BENCHMARKS.md, "Issue 14, fifth stop"), for
//! 115-135 MB less at the peak. `folio watch` keeps the caches: its next
//! rebuild reuses them.

use std::thread::JoinHandle;

/// The pages from which a one-shot build drops the memoised work: the
/// sample (26 pages) peaks at 184 MB without the drop and 171 MB with it,
/// for 50 ms more; the 456-page volume at about 825 MB without and 673 MB
/// with it, for 0.4 s more (BENCHMARKS.md, "Issue 14, fifth stop").
pub const RELEASE_FROM_PAGES: usize = 100;

/// The caches being dropped; dropping this waits until they are.
pub struct Releasing(Option<JoinHandle<()>>);

/// Drops Typst's memoised work on a second thread, then returns the freed
/// memory to the system.
pub fn release_caches() -> Releasing {
    let handle = std::thread::Builder::new()
        .name("folio-release".into())
        .spawn(|| {
            typst::comemo::evict(0);
            trim_heap();
        })
        .ok();
    Releasing(handle)
}

impl Drop for Releasing {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

/// Returns the heap's free pages to the system: glibc's allocator keeps
/// freed memory for later allocations, so the process would stay as large.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases memory that no allocation uses; it
    // takes the allocator's own locks, so other threads may allocate
    // meanwhile.
    unsafe {
        libc::malloc_trim(0);
    }
}
