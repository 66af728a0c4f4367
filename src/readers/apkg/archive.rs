//! A package's zip, read within [`Limits`]: every member's declared size and compression
//! ratio is checked before it is read, and what it actually decompresses to (zip's own
//! deflate, and zstd inside a member) is counted as it streams to disk, so a bomb is an
//! error long before memory or the disk fills. Nothing here knows what the members mean.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::error::{Error, Result};
use crate::readers::{Limits, input_error};

/// Members at most this large are never refused for their ratio (a few KiB of zeros
/// compress a thousand times, harmlessly).
const RATIO_FLOOR: u64 = 1 << 20;
/// zstd frames needing a larger window than 2^27 bytes (128 MiB) are refused: decoding them
/// would take that much memory. Anki's own exports use far less.
const ZSTD_WINDOW_LOG_MAX: u32 = 27;

/// An open package zip.
pub(super) struct Archive {
    zip: ZipArchive<File>,
    path: PathBuf,
    limits: Limits,
    /// Bytes decompressed so far, all members together.
    total: u64,
}

impl Archive {
    /// Opens the zip at `path`.
    pub(super) fn open(path: &Path, limits: Limits) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let zip = ZipArchive::new(file).map_err(|e| {
            input_error(
                path,
                format!("not an Anki package (not a readable zip: {e})"),
            )
        })?;
        Ok(Archive {
            zip,
            path: path.to_path_buf(),
            limits,
            total: 0,
        })
    }

    /// Whether the zip has a member called `name`.
    pub(super) fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The member `name` decompressed (and, with `zstd`, zstd-decoded) into memory, at most
    /// `max` bytes; `None` when there is no such member.
    pub(super) fn read_small(
        &mut self,
        name: &str,
        zstd: bool,
        max: u64,
    ) -> Result<Option<Vec<u8>>> {
        if !self.has(name) {
            return Ok(None);
        }
        let mut out = Vec::new();
        self.copy(name, zstd, max, &mut out)?;
        Ok(Some(out))
    }

    /// Decompresses the member `name` into the new file `to`; returns its size.
    pub(super) fn extract(&mut self, name: &str, zstd: bool, to: &Path) -> Result<u64> {
        let file = File::create(to).map_err(|e| Error::io(to, e))?;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
        let max = self.limits.max_entry;
        let n = self.copy(name, zstd, max, &mut out)?;
        out.flush().map_err(|e| Error::io(to, e))?;
        Ok(n)
    }

    /// Copies member `name`, decompressed, to `out`, refusing more than `max` bytes, a ratio
    /// above the limit, or more than the total limit.
    fn copy(&mut self, name: &str, zstd: bool, max: u64, out: &mut dyn Write) -> Result<u64> {
        let limits = self.limits;
        let left = limits.max_total.saturating_sub(self.total);
        let path = self.path.clone();
        let bomb = |what: String| input_error(&path, what);
        let mut member = match self.zip.by_name(name) {
            Ok(m) => m,
            Err(ZipError::FileNotFound) => {
                return Err(bomb(format!("the package has no member `{name}`")));
            }
            Err(e) => return Err(bomb(format!("member `{name}` cannot be read: {e}"))),
        };
        let (declared, compressed) = (member.size(), member.compressed_size().max(1));
        // What the member may decompress to: the limits, and the ratio for large members.
        let ratio_cap = compressed.saturating_mul(limits.max_ratio).max(RATIO_FLOOR);
        let cap = max.min(left).min(ratio_cap);
        if !zstd && declared > cap {
            return Err(bomb(too_big(
                name, declared, compressed, max, left, ratio_cap,
            )));
        }
        let mut counted = Counting {
            inner: out,
            written: 0,
            cap,
        };
        let result = if zstd {
            zstd::stream::read::Decoder::new(&mut member).and_then(|mut d| {
                d.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
                std::io::copy(&mut d, &mut counted)
            })
        } else {
            std::io::copy(&mut member, &mut counted)
        };
        match result {
            Ok(n) => {
                self.total += n;
                Ok(n)
            }
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => Err(bomb(too_big(
                name,
                counted.written,
                compressed,
                max,
                left,
                ratio_cap,
            ))),
            Err(e) => Err(bomb(format!(
                "member `{name}` is damaged and cannot be decompressed: {e}"
            ))),
        }
    }
}

/// Why a member is refused.
fn too_big(name: &str, size: u64, compressed: u64, max: u64, left: u64, ratio_cap: u64) -> String {
    let mb = |n: u64| n.div_ceil(1 << 20);
    if size > max {
        format!(
            "member `{name}` decompresses to over {} MiB, more than the {} MiB a member may have: refused as a possible zip bomb",
            mb(size),
            mb(max)
        )
    } else if size > left {
        format!(
            "the package decompresses to more than the limit for a whole package (member `{name}`): refused as a possible zip bomb"
        )
    } else {
        format!(
            "member `{name}` decompresses to over {} times its compressed size ({} bytes → over {} MiB): refused as a possible zip bomb",
            ratio_cap / compressed.max(1),
            compressed,
            mb(size.max(ratio_cap))
        )
    }
}

/// A writer that refuses to take more than `cap` bytes.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    written: u64,
    cap: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written + buf.len() as u64 > self.cap {
            self.written += buf.len() as u64;
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "over the limit",
            ));
        }
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// A zip at `dir/p.zip` with `(name, bytes, deflate)` members.
    fn zip(dir: &Path, members: &[(&str, &[u8], bool)]) -> PathBuf {
        let path = dir.join("p.zip");
        let mut w = zip::ZipWriter::new(File::create(&path).unwrap());
        for (name, bytes, deflate) in members {
            let method = if *deflate {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
            w.start_file(
                *name,
                zip::write::SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
        path
    }

    fn limits() -> Limits {
        Limits {
            max_entry: 8 << 20,
            max_total: 12 << 20,
            max_ratio: 100,
        }
    }

    #[test]
    fn members_are_read_and_extracted_and_zstd_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let packed = zstd::encode_all(&b"hello zstd"[..], 3).unwrap();
        let p = zip(dir.path(), &[("a", b"plain", true), ("b", &packed, false)]);
        let mut a = Archive::open(&p, limits()).unwrap();
        assert!(a.has("a") && !a.has("c"));
        assert_eq!(a.read_small("a", false, 100).unwrap().unwrap(), b"plain");
        assert_eq!(
            a.read_small("b", true, 100).unwrap().unwrap(),
            b"hello zstd"
        );
        assert_eq!(a.read_small("c", false, 100).unwrap(), None);
        let out = dir.path().join("out");
        assert_eq!(a.extract("a", false, &out).unwrap(), 5);
        assert_eq!(std::fs::read(out).unwrap(), b"plain");
    }

    #[test]
    fn zip_and_zstd_bombs_are_refused_before_they_are_written_out() {
        let dir = tempfile::tempdir().unwrap();
        let zeros = vec![0u8; 9 << 20];
        let zstd_zeros = zstd::encode_all(&zeros[..], 3).unwrap();
        let p = zip(
            dir.path(),
            &[("deflate", &zeros, true), ("zstd", &zstd_zeros, false)],
        );
        let mut a = Archive::open(&p, limits()).unwrap();
        let err = a
            .read_small("deflate", false, u64::MAX)
            .unwrap_err()
            .to_string();
        assert!(err.contains("p.zip: error: member `deflate`"), "{err}");
        assert!(err.contains("zip bomb"), "{err}");
        let out = dir.path().join("out");
        let err = a.extract("zstd", true, &out).unwrap_err().to_string();
        assert!(err.contains("zip bomb"), "{err}");
        assert!(std::fs::metadata(&out).unwrap().len() <= 8 << 20);
        // A small member never trips the ratio.
        let tiny = zip(dir.path(), &[("t", &[0u8; 4096], true)]);
        let mut a = Archive::open(&tiny, limits()).unwrap();
        assert_eq!(
            a.read_small("t", false, u64::MAX).unwrap().unwrap().len(),
            4096
        );
    }

    #[test]
    fn the_total_is_capped_across_members() {
        let dir = tempfile::tempdir().unwrap();
        let noise: Vec<u8> = (0..(5u32 << 20))
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let p = zip(
            dir.path(),
            &[
                ("a", &noise, false),
                ("b", &noise, false),
                ("c", &noise, false),
            ],
        );
        let mut a = Archive::open(&p, limits()).unwrap();
        a.extract("a", false, &dir.path().join("a")).unwrap();
        a.extract("b", false, &dir.path().join("b")).unwrap();
        let err = a.extract("c", false, &dir.path().join("c")).unwrap_err();
        assert!(err.to_string().contains("whole package"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.apkg");
        std::fs::write(&p, b"not a zip at all").unwrap();
        let err = Archive::open(&p, limits()).err().unwrap().to_string();
        assert!(err.contains("x.apkg: error: not an Anki package"), "{err}");
    }
}
