//! Text rules that several stages must apply identically, so they live once, here: deck-name
//! and tag normalization ([`deck`], [`tags`]), text folded for comparison ([`fold`]), cloze
//! deletion syntax ([`cloze`]), field text as Anki stores it ([`nfc`]), HTML → readable plain
//! text for formats without HTML ([`plain`]), JSON string literals as `serde_json` writes them
//! ([`json`]), content-hashed media names ([`media`]), media references in field HTML
//! ([`media_refs`]), the code-highlighting palette ([`code_style`]), and the word-at-a-time
//! byte scans the fast paths share (`swar`). Crate-private (public only with the `internals`
//! feature). Like all of the model, it imports nothing but `crate::error`.

pub mod cloze;
pub mod code_style;
pub mod deck;
pub mod fold;
pub mod json;
pub mod media;
pub mod media_refs;
pub mod nfc;
pub mod plain;
pub(crate) mod swar;
pub mod tags;
