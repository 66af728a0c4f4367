//! Note identity: the stable key a note is known by, and the Anki guid derived from it.
//!
//! The files, in the order a build uses them:
//! - `keys`: keys, guids and their digests (its functions are re-exported here);
//! - [`lockfile`]: the lock file (`decksmith.lock`), its records and its text;
//! - [`rename`]: whether a question reworded in place is still the same note;
//! - [`reconcile`]: the reconciler, which gives each note its guid, `mod` and new-card
//!   position against the lock;
//! - [`report`]: what a build changes compared with the lock, and what `--locked` refuses;
//! - [`lock`]: the old path of all of the lock's items, re-exported.
//!
//! Identity imports only [`crate::model`] and [`crate::error`], never `crate::source`,
//! `crate::writers` or `crate::project`.

mod keys;
pub mod lock;
pub mod lockfile;
pub mod reconcile;
pub mod rename;
pub mod report;

pub use keys::{
    explicit_key, guid_and_digest, guid_digest, guid_for_key, key_digest, normalize, question_key,
};
