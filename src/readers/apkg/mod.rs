//! The `apkg` reader: Anki packages (`.apkg`) and whole-collection packages (`.colpkg`), in
//! every layout Anki writes:
//!
//! - legacy 1: `collection.anki2`, schema 11, the `media` member a JSON map;
//! - legacy 2 (Anki's "support older versions" export): `collection.anki21`, schema 11, a
//!   `meta` member saying version 2, and a dummy `collection.anki2` that is ignored;
//! - current (Anki 2.1.50+): `collection.anki21b`, zstd-compressed SQLite of schema 18, the
//!   `media` member a zstd-compressed protobuf list, every media file zstd-compressed, `meta`
//!   saying version 3, and a dummy `collection.anki2` that is ignored.
//!
//! Media member `i` of the list is the zip member named `i`. Every name is checked before it
//! becomes a file: a name that is not one plain path component is an error, never a path.
//! The parts: `archive` (the zip, within the decompression limits), `proto` (the protobuf
//! messages), `collection` (the SQLite collection: note types, decks, notes). Facts from
//! Anki's `rslib/src/import_export/package/` (`meta.rs`, `media.rs`, `colpkg/`, `apkg/`).

mod archive;
mod collection;
mod proto;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use prost::Message;

use crate::error::{Error, Result};
use crate::model::text::media_refs::is_safe_media_name;
use crate::model::{MediaFile, NoteSink, NoteType};
use crate::readers::{Input, ReadContext, ReadOutcome, Reader, input_error, input_warning};
use archive::Archive;
use collection::Collection;
use proto::{MediaEntries, PackageMetadata};

/// The largest `meta` or `media` list member read into memory.
const MAX_LIST_BYTES: u64 = 64 << 20;

/// Reads `.apkg` and `.colpkg` files.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApkgReader;

impl Reader for ApkgReader {
    fn name(&self) -> &'static str {
        "apkg"
    }

    fn description(&self) -> &'static str {
        "Anki package or collection package (.apkg, .colpkg), any Anki version"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["apkg", "colpkg"]
    }

    fn sniff(&self, head: &[u8]) -> bool {
        head.starts_with(b"PK\x03\x04")
    }

    fn open(&self, path: &Path, ctx: &ReadContext) -> Result<Box<dyn Input>> {
        let mut archive = Archive::open(path, ctx.limits)?;
        let version = match archive.read_small("meta", false, MAX_LIST_BYTES)? {
            Some(bytes) => {
                PackageMetadata::decode(&bytes[..])
                    .map_err(|e| input_error(path, format!("the `meta` member is damaged: {e}")))?
                    .version
            }
            None if archive.has("collection.anki21") => 2,
            None => 1,
        };
        let (member, zstd) = match version {
            1 => ("collection.anki2", false),
            2 => ("collection.anki21", false),
            3 => ("collection.anki21b", true),
            v => {
                return Err(input_error(
                    path,
                    format!(
                        "package version {v} is not one this decksmith reads (1, 2 or 3): made by a newer Anki?"
                    ),
                ));
            }
        };
        let scratch = tempfile::Builder::new()
            .prefix("apkg-")
            .tempdir_in(&ctx.scratch)
            .map_err(|e| Error::io(&ctx.scratch, e))?;
        let file = scratch.path().join("collection");
        archive.extract(member, zstd, &file)?;
        let collection = Collection::open(&file, path)?;
        let note_types = collection.note_types()?;
        let decks = collection.decks()?;
        let media_list = media_list(&mut archive, path, zstd)?;
        Ok(Box::new(ApkgInput {
            path: path.to_path_buf(),
            archive,
            collection,
            note_types,
            decks,
            media_list,
            zstd,
            scratch,
        }))
    }
}

/// The package's media, `(zip member, name)`, in list order.
fn media_list(archive: &mut Archive, path: &Path, latest: bool) -> Result<Vec<(String, String)>> {
    let Some(bytes) = archive.read_small("media", latest, MAX_LIST_BYTES)? else {
        return Ok(Vec::new());
    };
    let damaged = |e: String| input_error(path, format!("the media list is damaged: {e}"));
    if latest {
        let list = MediaEntries::decode(&bytes[..]).map_err(|e| damaged(e.to_string()))?;
        Ok(list
            .entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| (i.to_string(), e.name))
            .collect())
    } else {
        let map: HashMap<String, String> =
            serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
        let mut list: Vec<(String, String)> = map.into_iter().collect();
        for (member, _) in &list {
            if member.parse::<u64>().is_err() {
                return Err(damaged(format!("`{member}` is not a member number")));
            }
        }
        list.sort_by_key(|(member, _)| member.parse::<u64>().unwrap_or(u64::MAX));
        Ok(list)
    }
}

/// An open package.
struct ApkgInput {
    path: PathBuf,
    archive: Archive,
    collection: Collection,
    note_types: Vec<NoteType>,
    decks: HashMap<i64, String>,
    media_list: Vec<(String, String)>,
    zstd: bool,
    /// Holds the collection and the media files until the conversion is over.
    scratch: tempfile::TempDir,
}

impl Input for ApkgInput {
    fn note_types(&self) -> &[NoteType] {
        &self.note_types
    }

    fn read(&mut self, sink: &mut dyn NoteSink) -> Result<ReadOutcome> {
        let mut outcome = ReadOutcome::default();
        let media_dir = self.scratch.path().join("media");
        std::fs::create_dir_all(&media_dir).map_err(|e| Error::io(&media_dir, e))?;
        let mut names = HashSet::new();
        let mut duplicates = 0usize;
        for (member, name) in &self.media_list {
            if !is_safe_media_name(name) {
                return Err(input_error(
                    &self.path,
                    format!(
                        "media file {member} has the name {name:?}, which is not a plain file name: refused, nothing is extracted outside the output"
                    ),
                ));
            }
            if !names.insert(name.clone()) {
                duplicates += 1;
                continue;
            }
            if !self.archive.has(member) {
                outcome.warnings.push(input_warning(
                    &self.path,
                    format!("media file `{name}` is listed but missing from the package"),
                ));
                names.remove(name);
                continue;
            }
            let to = media_dir.join(name);
            self.archive.extract(member, self.zstd, &to)?;
            outcome.media.push(MediaFile {
                name: name.clone(),
                path: to,
            });
        }
        if duplicates > 0 {
            outcome.warnings.push(input_warning(
                &self.path,
                format!("{duplicates} media files repeat a name listed before them; the first of each name is kept"),
            ));
        }
        outcome.media.sort_by(|a, b| a.name.cmp(&b.name));
        outcome.notes = self.collection.notes(
            &self.note_types,
            &self.decks,
            &names,
            sink,
            &mut outcome.warnings,
        )?;
        Ok(outcome)
    }
}
