//! The `.apkg` container: a small, deterministic zip writer with deflate spread over every
//! core.
//!
//! Entries are written in the order they are added, all dated 1980-01-01 00:00 with Unix
//! permissions 0644, so the same content always gives the same bytes. Deflated data is cut
//! into fixed-size chunks that are compressed independently, in parallel, each ending on a
//! byte boundary (a sync flush), and joined: the result is one valid deflate stream, as pigz
//! produces (at the cost of a few bytes per chunk and the dictionary at chunk boundaries).
//! Compression is most of the cost of writing a large package, so this is where the cores
//! pay off. Archives are limited to 4 GiB and 65,535 entries (no zip64).

use std::io::{self, Seek, SeekFrom, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

/// Bytes of input per independently compressed chunk.
const CHUNK: usize = 1 << 20;
/// Chunks compressed at once (bounds memory to about this many chunks in and out).
const BATCH: usize = 16;
/// 1980-01-01 in MS-DOS date format (the earliest date zip can express); time 00:00:00.
const DOS_DATE: u16 = (1 << 5) | 1;
/// "Made by" Unix, zip format 2.0.
const MADE_BY_UNIX: u16 = (3 << 8) | 20;
/// A regular file with mode 0644, in the external attributes.
const UNIX_FILE_0644: u32 = 0o100_644 << 16;

/// Where an entry's bytes come from.
pub trait Source: Sync {
    /// Total length in bytes.
    fn byte_len(&self) -> u64;
    /// Fills `buf` with the bytes at `offset` (exactly `buf.len()` of them).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

impl Source for [u8] {
    fn byte_len(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(io::Error::other)?;
        let src = self
            .get(start..start + buf.len())
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end"))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

impl Source for std::fs::File {
    fn byte_len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }

    #[cfg(unix)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(self, buf, offset)
    }

    #[cfg(windows)]
    fn read_at(&self, mut offset: u64, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(self, buf, offset)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
            }
        }
        Ok(())
    }
}

/// One central-directory record.
struct Entry {
    name: String,
    method: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// A zip archive being written to `out`.
pub struct ZipOut<'w, W: Write + Seek + ?Sized> {
    out: &'w mut W,
    entries: Vec<Entry>,
}

fn too_big(what: &str) -> io::Error {
    io::Error::other(format!(
        "{what} is too large for a zip without zip64 (4 GiB)"
    ))
}

fn u32_of(n: u64, what: &str) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| too_big(what))
}

impl<'w, W: Write + Seek + ?Sized> ZipOut<'w, W> {
    /// Starts an archive at the current position of `out`.
    pub fn new(out: &'w mut W) -> Self {
        ZipOut {
            out,
            entries: Vec::new(),
        }
    }

    /// Adds an entry: deflated at `level` (0–9), or stored when `level` is `None`.
    pub fn add<S: Source + ?Sized>(
        &mut self,
        name: &str,
        level: Option<u32>,
        source: &S,
    ) -> io::Result<()> {
        if self.entries.len() >= usize::from(u16::MAX) {
            return Err(io::Error::other("too many zip entries"));
        }
        let offset = u32_of(self.out.stream_position()?, "the package")?;
        let method: u16 = if level.is_some() { 8 } else { 0 };
        // Local header with the sizes and checksum filled in after the data.
        self.local_header(name, method, 0, 0, 0)?;
        let data_start = self.out.stream_position()?;
        let size = source.byte_len();
        let crc = match level {
            Some(level) => self.deflate(source, level)?,
            None => self.store(source)?,
        };
        let end = self.out.stream_position()?;
        let compressed = u32_of(end - data_start, name)?;
        let size = u32_of(size, name)?;
        self.out.seek(SeekFrom::Start(u64::from(offset)))?;
        self.local_header(name, method, crc, compressed, size)?;
        self.out.seek(SeekFrom::Start(end))?;
        self.entries.push(Entry {
            name: name.to_owned(),
            method,
            crc,
            compressed,
            size,
            offset,
        });
        Ok(())
    }

    fn local_header(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        compressed: u32,
        size: u32,
    ) -> io::Result<()> {
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes()); // version needed
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&method.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // time
        h.extend_from_slice(&DOS_DATE.to_le_bytes());
        h.extend_from_slice(&crc.to_le_bytes());
        h.extend_from_slice(&compressed.to_le_bytes());
        h.extend_from_slice(&size.to_le_bytes());
        h.extend_from_slice(&name_len(name)?.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // extra length
        h.extend_from_slice(name.as_bytes());
        self.out.write_all(&h)
    }

    fn store<S: Source + ?Sized>(&mut self, source: &S) -> io::Result<u32> {
        let mut crc = crc32fast::Hasher::new();
        let mut buf = vec![0u8; CHUNK];
        let mut offset = 0u64;
        while offset < source.byte_len() {
            let n = usize::try_from((source.byte_len() - offset).min(CHUNK as u64))
                .map_err(io::Error::other)?;
            source.read_at(offset, &mut buf[..n])?;
            crc.update(&buf[..n]);
            self.out.write_all(&buf[..n])?;
            offset += n as u64;
        }
        Ok(crc.finalize())
    }

    fn deflate<S: Source + ?Sized>(&mut self, source: &S, level: u32) -> io::Result<u32> {
        use rayon::prelude::*;
        let len = source.byte_len();
        let chunks =
            usize::try_from(len.div_ceil(CHUNK as u64).max(1)).map_err(io::Error::other)?;
        let mut crc = crc32fast::Hasher::new();
        let mut first = 0;
        while first < chunks {
            let batch: Vec<usize> = (first..(first + BATCH).min(chunks)).collect();
            let done: Vec<io::Result<(crc32fast::Hasher, Vec<u8>)>> = batch
                .par_iter()
                .map(|&i| {
                    let start = i as u64 * CHUNK as u64;
                    let n = usize::try_from(len.saturating_sub(start).min(CHUNK as u64))
                        .map_err(io::Error::other)?;
                    let mut input = vec![0u8; n];
                    source.read_at(start, &mut input)?;
                    let mut h = crc32fast::Hasher::new();
                    h.update(&input);
                    let last = i + 1 == chunks;
                    Ok((h, compress_chunk(&input, level, last)?))
                })
                .collect();
            for item in done {
                let (h, bytes) = item?;
                crc.combine(&h);
                self.out.write_all(&bytes)?;
            }
            first += BATCH;
        }
        Ok(crc.finalize())
    }

    /// Writes the central directory; the archive is complete.
    pub fn finish(self) -> io::Result<()> {
        let cd_start = u32_of(self.out.stream_position()?, "the package")?;
        let mut cd = Vec::new();
        for e in &self.entries {
            cd.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            cd.extend_from_slice(&MADE_BY_UNIX.to_le_bytes());
            cd.extend_from_slice(&20u16.to_le_bytes()); // version needed
            cd.extend_from_slice(&0u16.to_le_bytes()); // flags
            cd.extend_from_slice(&e.method.to_le_bytes());
            cd.extend_from_slice(&0u16.to_le_bytes()); // time
            cd.extend_from_slice(&DOS_DATE.to_le_bytes());
            cd.extend_from_slice(&e.crc.to_le_bytes());
            cd.extend_from_slice(&e.compressed.to_le_bytes());
            cd.extend_from_slice(&e.size.to_le_bytes());
            cd.extend_from_slice(&name_len(&e.name)?.to_le_bytes());
            cd.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
            cd.extend_from_slice(&UNIX_FILE_0644.to_le_bytes());
            cd.extend_from_slice(&e.offset.to_le_bytes());
            cd.extend_from_slice(e.name.as_bytes());
        }
        let count = u16::try_from(self.entries.len()).map_err(|_| too_big("the entry list"))?;
        let cd_len = u32_of(cd.len() as u64, "the central directory")?;
        cd.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        cd.extend_from_slice(&[0; 4]); // this disk, central directory disk
        cd.extend_from_slice(&count.to_le_bytes());
        cd.extend_from_slice(&count.to_le_bytes());
        cd.extend_from_slice(&cd_len.to_le_bytes());
        cd.extend_from_slice(&cd_start.to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes()); // comment length
        u32_of(u64::from(cd_start) + cd.len() as u64, "the package")?;
        self.out.write_all(&cd)
    }
}

fn name_len(name: &str) -> io::Result<u16> {
    u16::try_from(name.len()).map_err(|_| io::Error::other("zip entry name too long"))
}

/// Raw deflate of one chunk: ends with a sync flush (byte-aligned, stream open), or, for the
/// last chunk, with the final block.
fn compress_chunk(input: &[u8], level: u32, last: bool) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        let consumed = usize::try_from(c.total_in()).map_err(io::Error::other)?;
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(4096));
        }
        let status = c
            .compress_vec(&input[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let done_input = c.total_in() as usize == input.len();
        match status {
            Status::StreamEnd => break,
            _ if done_input && !last && out.capacity() > out.len() => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn archive(entries: &[(&str, Option<u32>, &[u8])]) -> Vec<u8> {
        let mut cur = Cursor::new(Vec::new());
        let mut z = ZipOut::new(&mut cur);
        for (name, level, data) in entries {
            z.add(name, *level, *data).unwrap();
        }
        z.finish().unwrap();
        cur.into_inner()
    }

    #[test]
    fn a_standard_reader_gets_every_entry_back_byte_for_byte() {
        // Several chunks of compressible and incompressible data, plus edge cases.
        let mut big = Vec::new();
        let mut x: u32 = 1;
        for i in 0..(3 * CHUNK + 12_345) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            big.push(if i % 3 == 0 {
                (x & 0xff) as u8
            } else {
                b'a' + (i % 7) as u8
            });
        }
        let entries: Vec<(&str, Option<u32>, &[u8])> = vec![
            ("collection.anki2", Some(4), &big),
            ("0", None, b"\x89PNG stored as is"),
            ("empty", Some(6), b""),
            ("media", Some(1), b"{\"0\":\"a.png\"}"),
        ];
        let bytes = archive(&entries);
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        assert_eq!(zip.len(), 4);
        for (i, (name, level, data)) in entries.iter().enumerate() {
            let mut f = zip.by_index(i).unwrap();
            assert_eq!(f.name().unwrap(), *name);
            assert_eq!(
                f.compression() == zip::CompressionMethod::Stored,
                level.is_none()
            );
            assert_eq!(f.unix_mode(), Some(0o100_644));
            let mut got = Vec::new();
            f.read_to_end(&mut got).unwrap(); // also checks the CRC
            assert_eq!(&got, data, "{name}");
        }
        assert_eq!(bytes, archive(&entries), "deterministic");
    }

    #[test]
    fn parallel_chunks_cost_little_size() {
        let data: Vec<u8> = (0..4 * CHUNK)
            .map(|i| b"lorem ipsum dolor "[i % 18])
            .collect();
        let ours = compress_chunk(&data, 6, true).unwrap().len();
        let bytes = archive(&[("x", Some(6), &data)]);
        // Zip headers plus a few bytes and a fresh dictionary per chunk boundary.
        assert!(
            bytes.len() < ours + ours / 100 + 200,
            "{} vs {ours}",
            bytes.len()
        );
    }
}
