//! Ctrl-C and SIGTERM (and SIGHUP): the first one asks the running build to stop (it then
//! removes its temporary files and changes nothing) and a watch to end; a second one, for a
//! build that does not stop, ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a signal arrived.
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The exit code of a command that a signal ended: 128 + SIGINT, as shells report Ctrl-C.
pub(crate) const EXIT_CODE: u8 = 130;

/// Installs the handler (once per process; later calls do nothing).
pub(crate) fn install() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // Without a handler the signal ends the process as usual, which is still safe for
        // the outputs (they are renamed into place only when complete).
        let _ = ctrlc::set_handler(|| {
            if REQUESTED.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(EXIT_CODE));
            }
        });
    });
}

/// Whether a signal asked this process to stop.
pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
