//! What long commands show while they work (`import`, `generate`,
//! `import-payments`, `compute`, `export`): a spinner with the step under
//! way and the time it has taken, or a bar over the files of an import.
//! Drawn on standard error, and only when standard output and standard
//! error are both terminals: piped or redirected, a command prints exactly
//! what it printed before.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether progress is drawn at all.
fn interactive() -> bool {
    std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// A progress display; cleared when dropped.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A spinner showing `step` and the elapsed time.
    pub fn spinner(step: impl Into<String>) -> Progress {
        let bar = ProgressBar::with_draw_target(None, target());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(step.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// A bar over `total` items (files), each named as it starts.
    pub fn bar(total: usize) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), target());
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// The step under way.
    pub fn step(&self, step: impl Into<String>) {
        self.bar.set_message(step.into());
    }

    /// One item of a bar is done.
    pub fn advance(&self) {
        self.bar.inc(1);
    }

    /// Runs `f` with the display hidden, for output of its own (lines
    /// printed while the bar runs).
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        self.bar.suspend(f)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

fn target() -> ProgressDrawTarget {
    if interactive() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}
