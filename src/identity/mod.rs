//! Note identity: the stable key a note is known by, and the Anki guid derived from it.
//!
//! The files, in the order a build uses them:
//! - `keys`: keys, guids and their digests;
//! - [`lockfile`]: the lock file (`decksmith.lock`), its records and its text;
//! - `rename`: whether a question reworded in place is still the same note;
//! - `reconcile`: the reconciler, which gives each note its guid, note type, `mod` and
//!   new-card position against the lock (`reconcile/matching.rs`: which old note a note is;
//!   `reconcile/typing.rs`: which note type it is published with);
//! - [`report`]: what a build changes compared with the lock, and what `--locked` refuses;
//!
//! Identity imports only [`crate::model`] and [`crate::error`], never `crate::source`,
//! `crate::writers` or `crate::project`.

#[cfg(feature = "internals")]
pub mod keys;
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
pub(crate) mod keys;
pub mod lockfile;
#[cfg(feature = "internals")]
pub mod reconcile;
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
pub(crate) mod reconcile;
#[cfg(feature = "internals")]
pub mod rename;
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
pub(crate) mod rename;
pub mod report;

pub use lockfile::{LOCK_FILE, Lock, NoteEntry, NoteTypeEntry, Retired};
pub use report::{ChangeKind, ChangeReport, DeckMove, NoteChange, NoteTypeUpgrade};
