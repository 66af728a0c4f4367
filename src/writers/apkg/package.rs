//! The package layout: a LEGACY_1 zip holding `collection.anki2` (the finished collection
//! file), the media files as entries `0..N-1` and the `media` JSON map, in that order; media
//! that is already compressed is stored as is, everything else deflated at the chosen level.
//!
//! The zip itself is written by [`archive`]. This file must not import the collection's
//! SQLite code (`super::collection`, `rusqlite`): it receives the collection as a finished
//! file.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::Compression;
use super::{archive, write_error};
use crate::error::{Error, Result};
use crate::model::MediaFile;
use crate::writers::Output;

/// File extensions of media that is already compressed: stored in the zip as is.
const COMPRESSED_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "heic", "heif", "jxl", "mp3", "mp4", "m4a", "m4v",
    "aac", "ogg", "oga", "ogv", "opus", "webm", "mkv", "mov", "flac", "zip", "gz", "bz2", "xz",
    "zst", "7z", "woff", "woff2",
];

fn out_error(e: std::io::Error) -> Error {
    write_error(format!("writing the zip: {e}"))
}

/// Whether a media file is stored as is (already compressed) rather than deflated.
fn is_precompressed(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        COMPRESSED_EXTENSIONS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(ext))
    })
}

/// Writes the package zip, reusing the compressed chunks `memo` holds from earlier packages;
/// returns how many media files it holds.
pub(super) fn write_zip(
    media: &[MediaFile],
    collection: &std::fs::File,
    compression: Compression,
    memo: Option<&archive::ChunkMemo>,
    out: &mut dyn Output,
) -> Result<usize> {
    let mut seen = HashSet::new();
    for m in media {
        if m.name.is_empty() || m.name.contains(['/', '\\']) || m.name == "." || m.name == ".." {
            return Err(write_error(format!(
                "media file name `{}` is not a plain file name",
                m.name
            )));
        }
        if !seen.insert(m.name.as_str()) {
            return Err(write_error(format!(
                "media file name `{}` appears twice",
                m.name
            )));
        }
    }

    let level = compression.deflate_level();
    let mut zip = archive::ZipOut::new(out);
    zip.memo = memo;
    zip.add("collection.anki2", level, collection)
        .map_err(out_error)?;

    let mut map = Map::new();
    for (i, m) in media.iter().enumerate() {
        let file = std::fs::File::open(&m.path).map_err(|e| Error::io(&m.path, e))?;
        let entry_level = if is_precompressed(&m.name) {
            None
        } else {
            level
        };
        zip.add(&i.to_string(), entry_level, &file)
            .map_err(|e| Error::io(&m.path, e))?;
        map.insert(i.to_string(), Value::String(m.name.clone()));
    }

    let map = Value::Object(map).to_string();
    zip.add("media", level, map.as_bytes()).map_err(out_error)?;
    zip.finish().map_err(out_error)?;
    Ok(media.len())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::path::PathBuf;

    use ::zip::{CompressionMethod, DateTime, ZipArchive};
    use serde_json::json;

    use super::*;
    use crate::writers::WriteReport;
    use crate::writers::apkg::testing::{PNG, sample, sample_unpacked, unpack, write};

    #[test]
    fn the_zip_holds_the_collection_then_the_media_then_the_map() {
        let (_, report, u) = sample_unpacked();
        assert_eq!(u.names, ["collection.anki2", "0", "media"]);
        assert_eq!(u.entry("0"), PNG);
        let map: Value = serde_json::from_slice(u.entry("media")).unwrap();
        assert_eq!(map, json!({"0": "diagram.png"}));
        assert_eq!(
            report,
            WriteReport {
                notes: 3,
                cards: 3,
                media: 1,
                warnings: vec![]
            }
        );
    }

    #[test]
    fn zip_entries_have_fixed_times_permissions_and_compression() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _) = write(&sample(dir.path())).unwrap();
        let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
        for (name, method) in [
            ("collection.anki2", CompressionMethod::Deflated),
            ("0", CompressionMethod::Stored),
            ("media", CompressionMethod::Deflated),
        ] {
            let f = archive.by_name(name).unwrap();
            assert_eq!(f.compression(), method, "{name}");
            assert_eq!(f.last_modified(), Some(DateTime::default()), "{name}");
            assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o644), "{name}");
        }
    }

    #[test]
    fn a_package_without_media_has_an_empty_map() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.media.clear();
        let (bytes, report) = write(&package).unwrap();
        let u = unpack(&bytes);
        assert_eq!(u.names, ["collection.anki2", "media"]);
        assert_eq!(u.entry("media"), b"{}");
        assert_eq!(report.media, 0);
    }

    #[test]
    fn a_missing_media_file_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.media[0].path = PathBuf::from("/nonexistent/diagram.png");
        let err = write(&package).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if path == &PathBuf::from("/nonexistent/diagram.png")),
            "{err:?}"
        );
    }
}
