//! Standard output of the commands. A reader that stops reading (`cruscotto
//! import A B C D | head -1`) must not stop the work it asked for: once
//! standard output is closed, what would have been printed is dropped, the
//! command carries on, and its exit code says how the work went (a closed
//! standard output is not a failure). Every command prints through here.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to standard output, dropping it once the reader has gone.
/// Other write errors (a full disk behind a redirection) are reported once
/// on standard error and also end the output.
pub fn write(text: &str) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("warning: standard output cannot be written ({e}); output dropped");
        }
    }
}

/// A writer on standard output with the same rule, for bulk output.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if CLOSED.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        match std::io::stdout().lock().write_all(buf) {
            Ok(()) => Ok(buf.len()),
            Err(e) => {
                CLOSED.store(true, Ordering::Relaxed);
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("warning: standard output cannot be written ({e}); output dropped");
                }
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !CLOSED.load(Ordering::Relaxed) {
            if let Err(e) = std::io::stdout().lock().flush() {
                CLOSED.store(true, Ordering::Relaxed);
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("warning: standard output cannot be written ({e}); output dropped");
                }
            }
        }
        Ok(())
    }
}

/// `println!` through [`write`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(&format!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use out;
