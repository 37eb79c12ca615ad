//! Progress bars on stderr for jobs that take over a second, and only when
//! stderr is a terminal (never in pipes, files or tests); `NO_COLOR`
//! gives a bar without colour.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::Progress;

/// A bar drawn only once its job has run for this long.
const DELAY: Duration = Duration::from_secs(1);

/// A progress bar that stays hidden for its first second.
pub struct Bar {
    bar: ProgressBar,
    state: Mutex<State>,
    terminal: bool,
}

struct State {
    started: Instant,
    shown: bool,
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        Bar {
            bar,
            state: Mutex::new(State {
                started: Instant::now(),
                shown: false,
            }),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn maybe_show(&self) {
        if !self.terminal {
            return;
        }
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if !s.shown && s.started.elapsed() >= DELAY {
            s.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

fn style(len: u64) -> ProgressStyle {
    let color = std::env::var_os("NO_COLOR").is_none();
    let template = match (len > 0, color) {
        (true, true) => {
            "{msg} [{bar:30.cyan/blue}] {human_pos}/{human_len} ({per_sec}, {eta} left)"
        }
        (true, false) => "{msg} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta} left)",
        (false, _) => "{msg} {human_pos} ({per_sec})",
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress for Bar {
    fn start(&self, len: u64, what: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.started = Instant::now();
        }
        self.bar.set_style(style(len));
        if len > 0 {
            self.bar.set_length(len);
        } else {
            self.bar.unset_length();
        }
        self.bar.set_position(0);
        self.bar.set_message(what.to_string());
    }

    fn inc(&self, n: u64) {
        self.bar.inc(n);
        self.maybe_show();
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A bar for a job of `len` steps (0: unknown).
pub fn bar(len: u64, what: &str) -> Bar {
    let b = Bar::new();
    b.start(len, what);
    b
}

/// A writer that tells a bar (if any) of each line written through it:
/// progress for exports, whose rows are lines.
pub struct LineCounter<'a, W: std::io::Write> {
    pub inner: W,
    pub bar: Option<&'a Bar>,
}

impl<W: std::io::Write> std::io::Write for LineCounter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(bar) = self.bar {
            let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
            if lines > 0 {
                bar.inc(lines as u64);
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
