//! The compile time limit (`--timeout`).
//!
//! Typst's `World` has no way to cancel a compile, so a trusted `.typ`
//! article or a layout with an endless loop would run forever. The command
//! therefore runs on a worker thread while the main thread waits; when the
//! deadline passes, the main thread prints an error and ends the process
//! with exit code 1. The output is written atomically and the deadline never
//! strikes in the middle of that write (see [`output::hold_writes`]), so the
//! previous PDF is left as it was; once the PDF is written, the rest of
//! the command may finish.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::error::{Error, Printer};
use crate::export::output;

/// Stack of the worker thread: as generous as a main thread's, since deeply
/// nested layouts recurse.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Runs `work` (a layout) with a time limit; past it, prints the error and
/// ends the process: Typst cannot be interrupted, so this is the one error
/// that is not returned to `main`.
pub fn run<T, F>(limit: Duration, printer: &Printer, work: F) -> Result<T, Error>
where
    T: Send,
    F: FnOnce() -> Result<T, Error> + Send,
{
    let seconds = limit.as_secs();
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("compile".into())
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, move || {
                let result = work();
                let _ = done.send(());
                result
            })
            .map_err(|e| Error::plain(format!("cannot start the compile: {e}")))?;
        match finished.recv_timeout(limit) {
            // Finished, or panicked (the sender is gone): join it.
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {}
            Err(RecvTimeoutError::Timeout) => {
                // Never end the process halfway through writing the output:
                // wait until no write is in progress, then block new ones.
                let _writes = output::hold_writes();
                // Once the PDF is written, what is left (checks and the
                // summary) may finish.
                if !output::written() && finished.try_recv().is_err() {
                    let err = timed_out(seconds);
                    printer.error(&err, None);
                    std::process::exit(err.exit_code());
                }
            }
        }
        match worker.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The error shown when the deadline passes.
pub fn timed_out(seconds: u64) -> Error {
    Error::plain(format!(
        "the compile took longer than {seconds} s and was stopped; no PDF was written and the previous one is unchanged"
    ))
    .with_hint("a trusted .typ article or the layout may loop forever; if the issue is just large, raise the limit with --timeout SECONDS")
}
