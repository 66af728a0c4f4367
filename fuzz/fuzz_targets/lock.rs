//! Fuzz target `lock`: arbitrary bytes as a `decksmith.lock`, through the lock parser.
//!
//! Checks: never a panic; a lock that parses writes out (`Lock::to_text`, its canonical
//! form) as text that parses back to the same lock, and is written the same again.
//!
//! Seeds: `seeds/lock/` (the project's locks, versions 1 and 2); dictionary:
//! `dicts/lock.dict`.
#![no_main]

use std::path::Path;

use decksmith::identity::Lock;
use decksmith_fuzz::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let path = Path::new("decksmith.lock");
    let Ok(lock) = Lock::parse(&text, path) else {
        return;
    };
    let written = lock.to_text();
    let again = Lock::parse(&written, path)
        .unwrap_or_else(|e| panic!("the canonical form does not parse: {e}\n{written}"));
    assert_eq!(again, lock, "{written}");
    assert_eq!(again.to_text(), written);
});
