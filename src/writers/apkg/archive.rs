//! The `.apkg` container: a small, deterministic zip writer with deflate spread over every
//! core.
//!
//! Entries are written in the order they are added, all dated 1980-01-01 00:00 with Unix
//! permissions 0644, so the same content always gives the same bytes. Deflated data is cut
//! into fixed-size chunks that are compressed independently, in parallel, each primed with
//! the 32 KiB before it as its dictionary and ending on a byte boundary (a sync flush), and
//! joined: the result is one valid deflate stream, as pigz produces (at the cost of a few
//! bytes per chunk). Compression is most of the cost of writing a large package, so this is
//! where the cores pay off. Archives are limited to 4 GiB and 65,535 entries (no zip64).
//!
//! Deflate is zlib-rs through its zlib C API,
//! `libz-rs-sys`: the only interface that offers `deflateTune`, which level 4 needs (see
//! `tuning`). The unsafe calls are all in `Deflater`.

use std::io::{self, Seek, SeekFrom, Write};

use libz_rs_sys as z;

/// Bytes of input per independently compressed chunk.
const CHUNK: usize = 1 << 20;
/// Chunks compressed at once (bounds memory to about this many chunks in and out).
const BATCH: usize = 16;
/// Bytes before a chunk that prime it as a preset dictionary: deflate's whole window, so a
/// chunk finds the same matches across its start as one long stream would.
const WINDOW: usize = 32 * 1024;
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
    /// Compressed chunks of earlier archives to reuse, and to keep this one's in.
    pub memo: Option<&'w ChunkMemo>,
}

/// Compressed chunks of the archives written before, by the SHA-256 of everything that made
/// them (level, dictionary, chunk, whether it ends the stream): a chunk whose input is the
/// same is the same bytes, so an archive of a file that changed in one place recompresses
/// only the chunks around that place. Keeps the chunks of the last archive only (those
/// found or made since the previous one finished).
#[derive(Debug, Default)]
pub struct ChunkMemo {
    chunks: std::sync::Mutex<ChunkMap>,
}

/// The chunks, and which of them the archive being written used.
#[derive(Debug, Default)]
struct ChunkMap {
    chunks: std::collections::HashMap<[u8; 32], std::sync::Arc<[u8]>>,
    used: std::collections::HashSet<[u8; 32]>,
}

impl ChunkMemo {
    fn map(&self) -> std::sync::MutexGuard<'_, ChunkMap> {
        self.chunks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, key: &[u8; 32]) -> Option<std::sync::Arc<[u8]>> {
        let mut map = self.map();
        let found = map.chunks.get(key).cloned();
        if found.is_some() {
            map.used.insert(*key);
        }
        found
    }

    fn put(&self, key: [u8; 32], compressed: &[u8]) {
        let mut map = self.map();
        map.chunks.insert(key, compressed.into());
        map.used.insert(key);
    }

    /// Forgets every chunk the archive just finished did not use.
    fn sweep(&self) {
        let mut map = self.map();
        let used = std::mem::take(&mut map.used);
        map.chunks.retain(|k, _| used.contains(k));
    }

    /// How many compressed chunks are kept.
    pub fn len(&self) -> usize {
        self.map().chunks.len()
    }

    /// Whether no chunk is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
            memo: None,
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
        let settings = Settings::for_level(level)?;
        let memo = self.memo;
        // One slot per chunk of a batch, its buffers reused batch after batch (fresh
        // megabytes per chunk cost page faults and zeroing).
        let mut slots: Vec<Slot> = (0..BATCH.min(chunks)).map(|_| Slot::default()).collect();
        let mut crc = crc32fast::Hasher::new();
        let mut first = 0;
        while first < chunks {
            let batch = &mut slots[..(chunks - first).min(BATCH)];
            // A deflater per rayon job (it cannot move between threads), reset per chunk.
            let done: Vec<io::Result<()>> = batch
                .par_iter_mut()
                .enumerate()
                .map_init(
                    || None,
                    |deflater, (k, slot)| {
                        slot.compress(source, first + k, chunks, settings, deflater, memo)
                    },
                )
                .collect();
            for (slot, result) in batch.iter().zip(done) {
                result?;
                crc.combine(&slot.crc);
                self.out.write_all(&slot.output[..slot.produced])?;
            }
            first += BATCH;
        }
        Ok(crc.finalize())
    }

    /// Writes the central directory; the archive is complete.
    pub fn finish(self) -> io::Result<()> {
        if let Some(memo) = self.memo {
            memo.sweep();
        }
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

/// How a deflate level is run: the level, and `deflateTune` parameters when they differ from
/// the level's own.
#[derive(Debug, Clone, Copy)]
struct Settings {
    level: i32,
    tune: Option<Tune>,
}

/// zlib's `deflateTune` parameters.
#[derive(Debug, Clone, Copy)]
struct Tune {
    /// A match at least this long cuts the search for a better one to a quarter.
    good_length: i32,
    /// Lazy matching only looks for a better match after one shorter than this.
    max_lazy: i32,
    /// A match this long ends the search.
    nice_length: i32,
    /// How many earlier positions with the same hash are tried.
    max_chain: i32,
}

/// The tuning of a deflate level, if it has one.
///
/// Level 4 (what `--compression fast`, the default, asks for) has a shorter match chain and a
/// longer nice length than zlib's level 4 (chain 24, nice 32). The match search is most of
/// deflate's time: on a 100k-note collection (220 MB, 1 MiB chunks with their dictionaries,
/// one thread), chain 16 with nice 128 took 1.74 CPU s against 2.10 s for stock level 4, at
/// 1.085× zlib level 6's size against 1.069× (chain 16 with nice 32: 1.090×, no faster;
/// chain 12: 1.098×), within the +10% the size target allows with some margin for other
/// content. Level 3 is no substitute: its chain of 6 ends at 1.14× level 6. Every other
/// level is zlib's own: `best` (9) stays the smallest, `none` does not deflate.
fn tuning(level: u32) -> Option<Tune> {
    (level == 4).then_some(Tune {
        good_length: 4,
        max_lazy: 12,
        nice_length: 128,
        max_chain: 16,
    })
}

impl Settings {
    fn for_level(level: u32) -> io::Result<Self> {
        if level > 9 {
            return Err(io::Error::other(format!(
                "deflate level {level} is not 0–9"
            )));
        }
        Ok(Settings {
            level: level as i32,
            tune: tuning(level),
        })
    }
}

/// The buffers of one chunk being compressed.
#[derive(Default)]
struct Slot {
    /// The dictionary (the `WINDOW` bytes before the chunk; none for the first), then the
    /// chunk.
    input: Vec<u8>,
    /// The compressed chunk is `output[..produced]`.
    output: Vec<u8>,
    produced: usize,
    /// The chunk's CRC-32.
    crc: crc32fast::Hasher,
}

impl Slot {
    /// Reads chunk `i` of `chunks` from `source` and compresses it with `deflater` (made on
    /// first use), or takes it from `memo` when it holds this very chunk.
    fn compress<S: Source + ?Sized>(
        &mut self,
        source: &S,
        i: usize,
        chunks: usize,
        settings: Settings,
        deflater: &mut Option<Deflater>,
        memo: Option<&ChunkMemo>,
    ) -> io::Result<()> {
        let start = i as u64 * CHUNK as u64;
        let n = usize::try_from(source.byte_len().saturating_sub(start).min(CHUNK as u64))
            .map_err(io::Error::other)?;
        // Every chunk before the last is CHUNK bytes, more than the window.
        let dict = if i == 0 { 0 } else { WINDOW };
        if self.input.len() < dict + n {
            self.input = vec![0; WINDOW + CHUNK];
        }
        let input = &mut self.input[..dict + n];
        source.read_at(start - dict as u64, input)?;
        let (dictionary, chunk) = input.split_at(dict);
        self.crc = crc32fast::Hasher::new();
        self.crc.update(chunk);
        let last = i + 1 == chunks;
        let key = memo.map(|_| {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update([settings.level as u8, u8::from(last)]);
            h.update((dictionary.len() as u64).to_le_bytes());
            h.update(dictionary);
            h.update(chunk);
            <[u8; 32]>::from(h.finalize())
        });
        if let (Some(memo), Some(key)) = (memo, &key)
            && let Some(compressed) = memo.get(key)
        {
            self.output.clear();
            self.output.extend_from_slice(&compressed);
            self.produced = compressed.len();
            return Ok(());
        }
        let deflater = match deflater {
            Some(d) => d,
            None => deflater.insert(Deflater::new(settings.level)?),
        };
        deflater.start(settings.tune, dictionary)?;
        self.produced = deflater.compress(chunk, &mut self.output, last)?;
        if let (Some(memo), Some(key)) = (memo, key) {
            memo.put(key, &self.output[..self.produced]);
        }
        Ok(())
    }
}

fn zlib_error(call: &str, code: i32) -> io::Error {
    io::Error::other(format!("deflate: {call} failed with zlib code {code}"))
}

/// A raw-deflate stream (no zlib header), reused chunk after chunk.
///
/// Invariant: `strm` was initialized by `deflateInit2_` in [`Deflater::new`] (or `new`
/// failed), is only ever used through `&mut self` and is ended exactly once, in `drop`. It
/// is boxed because zlib's state may point back at the stream, which must not move.
struct Deflater {
    strm: Box<z::z_stream>,
}

impl Deflater {
    fn new(level: i32) -> io::Result<Self> {
        let mut strm = Box::new(z::z_stream::default());
        let size = std::mem::size_of::<z::z_stream>() as i32;
        // SAFETY: `strm` points to a valid z_stream with the allocator set by `default()`;
        // the version and size are this library's own. Window bits -15: raw deflate.
        let code = unsafe {
            z::deflateInit2_(
                &mut *strm,
                level,
                z::Z_DEFLATED,
                -15,
                8,
                z::Z_DEFAULT_STRATEGY,
                z::zlibVersion(),
                size,
            )
        };
        if code != z::Z_OK {
            return Err(zlib_error("deflateInit2", code));
        }
        Ok(Deflater { strm })
    }

    /// Starts a new stream: the tuning, then the dictionary (if not empty).
    fn start(&mut self, tune: Option<Tune>, dictionary: &[u8]) -> io::Result<()> {
        let strm: *mut z::z_stream = &mut *self.strm;
        // SAFETY (all three calls): `strm` is initialized (the type's invariant); a reset
        // restores the level's parameters, so the tuning follows it; the dictionary is a
        // live slice of the length given (at most WINDOW, so it fits a u32).
        let code = unsafe { z::deflateReset(strm) };
        if code != z::Z_OK {
            return Err(zlib_error("deflateReset", code));
        }
        if let Some(t) = tune {
            let code = unsafe {
                z::deflateTune(strm, t.good_length, t.max_lazy, t.nice_length, t.max_chain)
            };
            if code != z::Z_OK {
                return Err(zlib_error("deflateTune", code));
            }
        }
        if !dictionary.is_empty() {
            let len = u32::try_from(dictionary.len()).map_err(io::Error::other)?;
            let code = unsafe { z::deflateSetDictionary(strm, dictionary.as_ptr(), len) };
            if code != z::Z_OK {
                return Err(zlib_error("deflateSetDictionary", code));
            }
        }
        Ok(())
    }

    /// Compresses all of `input` into `out` (grown as needed), ending with a sync flush
    /// (byte-aligned, stream open) or, when `last`, with the final block; returns how many
    /// bytes of `out` it wrote.
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>, last: bool) -> io::Result<usize> {
        let flush = if last { z::Z_FINISH } else { z::Z_SYNC_FLUSH };
        if out.len() < input.len() / 2 + 4096 {
            out.resize(input.len() / 2 + 4096, 0);
        }
        let mut consumed = 0;
        let mut produced = 0;
        loop {
            let rest = &input[consumed..];
            let room = &mut out[produced..];
            let avail_in = u32::try_from(rest.len()).map_err(io::Error::other)?;
            let avail_out = u32::try_from(room.len()).map_err(io::Error::other)?;
            self.strm.next_in = rest.as_ptr();
            self.strm.avail_in = avail_in;
            self.strm.next_out = room.as_mut_ptr();
            self.strm.avail_out = avail_out;
            // SAFETY: the stream is initialized (the type's invariant); next_in/avail_in and
            // next_out/avail_out describe the live slices `rest` and `room`, which outlive the
            // call and are not otherwise touched during it.
            let code = unsafe { z::deflate(&mut *self.strm, flush) };
            consumed += (avail_in - self.strm.avail_in) as usize;
            produced += (avail_out - self.strm.avail_out) as usize;
            // The pointers must not outlive the slices.
            self.strm.next_in = std::ptr::null();
            self.strm.next_out = std::ptr::null_mut();
            match code {
                z::Z_STREAM_END => return Ok(produced),
                // Without room left over, a flush may not be complete yet.
                z::Z_OK if !last && consumed == input.len() && produced < out.len() => {
                    return Ok(produced);
                }
                // Z_BUF_ERROR is "no progress possible"; with room to write, that would loop.
                z::Z_OK => {}
                z::Z_BUF_ERROR if produced == out.len() => {}
                code => return Err(zlib_error("deflate", code)),
            }
            if produced == out.len() {
                out.resize(out.len() * 2, 0);
            }
        }
    }
}

impl Drop for Deflater {
    fn drop(&mut self) {
        // SAFETY: the stream is initialized and this is its only end (the type's invariant).
        // Ending a stream mid-chunk (after an error) is allowed; it only reports
        // Z_DATA_ERROR, which there is nothing to do about.
        unsafe { z::deflateEnd(&mut *self.strm) };
    }
}

/// Raw deflate of `input` as one stream at `level`, for comparisons in tests.
#[cfg(test)]
fn compress_whole(input: &[u8], level: u32) -> Vec<u8> {
    let settings = Settings::for_level(level).unwrap();
    let mut d = Deflater::new(settings.level).unwrap();
    d.start(settings.tune, &[]).unwrap();
    let mut out = Vec::new();
    let n = d.compress(input, &mut out, true).unwrap();
    out.truncate(n);
    out
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
    fn remembered_chunks_give_the_same_bytes_and_only_changed_chunks_are_compressed_again() {
        let mut data: Vec<u8> = (0u32..)
            .flat_map(|i| format!("note {i} ").into_bytes())
            .take(2 * CHUNK + 777)
            .collect();
        let memo = ChunkMemo::default();
        let with_memo = |data: &[u8]| {
            let mut cur = Cursor::new(Vec::new());
            let mut z = ZipOut::new(&mut cur);
            z.memo = Some(&memo);
            z.add("collection.anki2", Some(4), data).unwrap();
            z.finish().unwrap();
            cur.into_inner()
        };
        let plain = |data: &[u8]| archive(&[("collection.anki2", Some(4), data)]);
        assert_eq!(with_memo(&data), plain(&data));
        assert_eq!(memo.len(), 3);
        // One byte in the second chunk: that chunk and the next (whose dictionary it is)
        // change; the first is taken from the memo, and the bytes are still a fresh
        // archive's.
        data[CHUNK + 10] ^= 1;
        let got = with_memo(&data);
        assert_eq!(got, plain(&data));
        assert_eq!(
            memo.len(),
            3,
            "the old second and third chunks are forgotten"
        );
        data[2 * CHUNK + 700] ^= 1;
        assert_eq!(
            with_memo(&data),
            plain(&data),
            "the last chunk ends the stream"
        );
    }

    #[test]
    fn a_reused_deflater_gives_the_bytes_of_a_fresh_one() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("note {} says {} ", i % 997, i % 13).into_bytes())
            .collect();
        let (dict, chunk) = text.split_at(WINDOW);
        let settings = Settings::for_level(4).unwrap();
        let run = |d: &mut Deflater| {
            d.start(settings.tune, dict).unwrap();
            let mut out = Vec::new();
            let n = d.compress(chunk, &mut out, false).unwrap();
            out.truncate(n);
            out
        };
        let mut reused = Deflater::new(settings.level).unwrap();
        reused.start(None, &[]).unwrap();
        reused
            .compress(&text[..5000], &mut Vec::new(), true)
            .unwrap();
        let fresh = run(&mut Deflater::new(settings.level).unwrap());
        assert_eq!(run(&mut reused), fresh);
        // The dictionary is used: without it the same chunk compresses worse.
        let mut plain = Deflater::new(settings.level).unwrap();
        plain.start(settings.tune, &[]).unwrap();
        let alone = plain.compress(chunk, &mut Vec::new(), false).unwrap();
        assert!(fresh.len() < alone, "{} vs {alone}", fresh.len());
    }

    #[test]
    fn a_deflate_level_above_9_is_an_error() {
        assert!(Settings::for_level(10).is_err());
        assert!(Settings::for_level(9).is_ok());
    }

    #[test]
    fn parallel_chunks_cost_little_size() {
        let data: Vec<u8> = (0..4 * CHUNK)
            .map(|i| b"lorem ipsum dolor "[i % 18])
            .collect();
        let ours = compress_whole(&data, 6).len();
        let bytes = archive(&[("x", Some(6), &data)]);
        // Zip headers plus a few bytes and a fresh dictionary per chunk boundary.
        assert!(
            bytes.len() < ours + ours / 100 + 200,
            "{} vs {ours}",
            bytes.len()
        );
    }
}
