//! The lock's old module path, kept while callers move to the files that now own its parts:
//! the lock file format ([`super::lockfile`]), the change report and `--locked` policy
//! ([`super::report`]), the rename heuristic ([`super::rename`]) and the reconciler
//! ([`super::reconcile`]). Re-exports only, no code of its own; like all of
//! [`crate::identity`], it imports only [`crate::model`] and [`crate::error`], never
//! `crate::source`, `crate::writers` or `crate::project`.

pub use super::lockfile::{LOCK_FILE, Lock, NewLock, NoteEntry, NoteTypeEntry};
pub use super::reconcile::{Assigning, Foresight, Reconciled, Reconciler};
pub use super::rename::{RENAME_THRESHOLD, similarity};
pub use super::report::{ChangeKind, ChangeReport, NoteChange, locked_violations};
