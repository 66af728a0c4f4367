//! Progress while a command runs: the library's observer events gathered into counts, drawn
//! as a progress bar on standard error once a build has taken a second (only on a terminal,
//! never in CI or with `--quiet`; see [`Ui::progress`]), and the stage timings `--verbose`
//! prints at the end. The same observer passes Ctrl-C on to the build.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use decksmith::pipeline::{Cache, Observer, Request, Stage};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::interrupt;
use super::ui::Ui;

/// How long a build runs before its progress is drawn: short builds show none.
const DRAW_AFTER: Duration = Duration::from_secs(1);

/// What a build reported so far.
#[derive(Debug, Default)]
struct Counts {
    found: usize,
    read: usize,
    cached: usize,
    notes: usize,
    /// Notes and bytes written, by format, in the order the formats first reported.
    formats: Vec<(&'static str, usize, u64)>,
    stages: Vec<(Stage, Duration)>,
}

impl Counts {
    fn format(&mut self, format: &'static str) -> &mut (&'static str, usize, u64) {
        let i = match self.formats.iter().position(|f| f.0 == format) {
            Some(i) => i,
            None => {
                self.formats.push((format, 0, 0));
                self.formats.len() - 1
            }
        };
        &mut self.formats[i]
    }

    /// The notes read so far.
    fn read(&self) -> String {
        format!("{} notes", thousands(self.notes))
    }

    /// Each format's notes and bytes written so far.
    fn written(&self) -> String {
        let parts: Vec<String> = self
            .formats
            .iter()
            .map(|(format, notes, bytes)| match bytes {
                0 => format!("{format} {}", thousands(*notes)),
                _ => format!("{format} {} {}", thousands(*notes), megabytes(*bytes)),
            })
            .collect();
        format!("written: {}", parts.join(" · "))
    }
}

/// The observer a command hands the library.
#[derive(Debug, Default)]
struct Reporter {
    counts: Mutex<Counts>,
    /// Set when the command is over; the drawing thread waits on it.
    done: Mutex<bool>,
    wake: Condvar,
}

impl Reporter {
    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Observer for Reporter {
    fn documents_found(&self, documents: usize) {
        self.counts().found += documents;
    }

    fn document_read(&self, notes: usize, cached: bool) {
        let mut c = self.counts();
        c.read += 1;
        c.cached += usize::from(cached);
        c.notes += notes;
    }

    fn notes_written(&self, format: &'static str, notes: usize) {
        self.counts().format(format).1 += notes;
    }

    fn bytes_written(&self, format: &'static str, bytes: u64) {
        self.counts().format(format).2 += bytes;
    }

    fn stage(&self, stage: Stage, elapsed: Duration) {
        self.counts().stages.push((stage, elapsed));
    }

    fn should_stop(&self) -> bool {
        interrupt::requested()
    }
}

/// One command's progress: its observer, and the thread drawing the bar.
struct Progress {
    reporter: Arc<Reporter>,
    drawer: Option<JoinHandle<()>>,
    started: Instant,
}

impl Progress {
    /// Starts watching a command; draws a bar after [`DRAW_AFTER`] when `ui` allows it.
    fn start(ui: &Ui) -> Self {
        let reporter = Arc::new(Reporter::default());
        let drawer = ui.progress.then(|| {
            let reporter = Arc::clone(&reporter);
            std::thread::spawn(move || draw(&reporter, draw_after()))
        });
        Progress {
            reporter,
            drawer,
            started: Instant::now(),
        }
    }

    /// The observer for the library's request.
    fn observer(&self) -> Arc<dyn Observer> {
        Arc::clone(&self.reporter) as Arc<dyn Observer>
    }

    /// Ends the command's progress: removes the bar, then (with `--verbose`) prints how long
    /// each stage took.
    fn finish(mut self, ui: &Ui) {
        self.stop_drawing();
        if ui.verbose {
            let c = self.reporter.counts();
            for (stage, elapsed) in &c.stages {
                eprintln!("{:>9} {}", format!("{stage}"), millis(*elapsed));
            }
            eprintln!(
                "{:>9} {} ({} documents, {} of them unchanged since the last build)",
                "total",
                millis(self.started.elapsed()),
                c.read,
                c.cached
            );
        }
    }

    fn stop_drawing(&mut self) {
        *self
            .reporter
            .done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = true;
        self.reporter.wake.notify_all();
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop_drawing();
    }
}

/// Runs `call` on `request` with progress drawn and timed, reusing `cache`.
pub(crate) fn observed<T>(
    ui: &Ui,
    request: Request,
    cache: Option<&Arc<Cache>>,
    call: impl FnOnce(&Request) -> decksmith::Result<T>,
) -> decksmith::Result<T> {
    observing(ui, |observer| {
        let request = Request {
            observer: Some(observer),
            cache: cache.cloned(),
            ..request
        };
        call(&request)
    })
}

/// Runs `call` with an observer that draws the progress and times the stages.
pub(crate) fn observing<T>(
    ui: &Ui,
    call: impl FnOnce(Arc<dyn Observer>) -> decksmith::Result<T>,
) -> decksmith::Result<T> {
    let progress = Progress::start(ui);
    let result = call(progress.observer());
    progress.finish(ui);
    result
}

/// The delay before drawing: [`DRAW_AFTER`], or `DECKSMITH_PROGRESS_AFTER_MS` (for tests,
/// which cannot wait for a long build).
fn draw_after() -> Duration {
    std::env::var("DECKSMITH_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(DRAW_AFTER, Duration::from_millis)
}

/// Draws the bar from `after` on, ten times a second, until the command is done.
fn draw(reporter: &Reporter, after: Duration) {
    let wait = |timeout: Duration| -> bool {
        let done = reporter
            .done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (done, _) = reporter
            .wake
            .wait_timeout_while(done, timeout, |done| !*done)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *done
    };
    if wait(after) {
        return;
    }
    // Two lines: the documents, then the writers. The time shown is the command's, not the
    // bar's; the lines are cut to the terminal's width rather than wrapped.
    let lines = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
    let style = |template: &str| {
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
    };
    let documents = lines.add(ProgressBar::new(0).with_elapsed(after).with_style(style(
        "{elapsed:>4} [{bar:24}] {pos}/{len} documents · {wide_msg}",
    )));
    let writers = lines.add(ProgressBar::new(0).with_style(style("     {wide_msg}")));
    loop {
        {
            let c = reporter.counts();
            documents.set_length(c.found.max(c.read) as u64);
            documents.set_position(c.read as u64);
            documents.set_message(c.read());
            writers.set_message(c.written());
        }
        if wait(Duration::from_millis(100)) {
            break;
        }
    }
    documents.finish_and_clear();
    writers.finish_and_clear();
    let _ = lines.clear();
}

/// `12345` as `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Bytes as megabytes with one decimal: `12.3 MB`.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A duration in milliseconds: `12 ms`.
pub(crate) fn millis(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// Stage timings by stage name (for tests of the verbose output).
#[cfg(test)]
fn stages(counts: &Counts) -> std::collections::BTreeMap<String, Duration> {
    counts
        .stages
        .iter()
        .map(|(s, d)| (s.to_string(), *d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_format_in_the_order_formats_report() {
        let r = Reporter::default();
        r.documents_found(3);
        r.document_read(10, false);
        r.document_read(5, true);
        r.notes_written("csv", 15);
        r.notes_written("apkg", 10);
        r.bytes_written("apkg", 2_500_000);
        r.stage(Stage::Documents, Duration::from_millis(7));
        let c = r.counts();
        assert_eq!((c.found, c.read, c.cached, c.notes), (3, 2, 1, 15));
        assert_eq!(c.read(), "15 notes");
        assert_eq!(c.written(), "written: csv 15 · apkg 10 2.5 MB");
        assert_eq!(stages(&c).get("documents"), Some(&Duration::from_millis(7)));
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(megabytes(46_800_000), "46.8 MB");
    }
}
