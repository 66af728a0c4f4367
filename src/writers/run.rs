//! Output files: naming them, and writing them so that a failed build never leaves a
//! half-written or clobbered file. Every output is written to a temporary file (or, for a
//! writer whose output is a directory, a temporary directory) in the target directory and
//! renamed into place only after every writer has succeeded.

use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::model::observer::{Observer, Stage, Unobserved};
use crate::model::{Manifest, Note, NoteSink, NoteType, Package};
use crate::writers::{Memory, NoteStream, Settings, WriteReport, Writer};

/// One output that was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The writer's name (`apkg`, `csv`, …).
    pub format: &'static str,
    /// Where the file is.
    pub path: PathBuf,
    /// What the writer reported.
    pub report: WriteReport,
    /// What a user must pick when importing the file, if anything
    /// ([`Writer::import_hint`]).
    pub import_hint: Option<String>,
}

/// A writer chosen for a build, and the settings it writes with.
pub type Selected<'w> = (&'w dyn Writer, Settings);

/// An output complete in its staging place, not yet in its own: what the `finish` step of
/// [`run_streaming_then`] sees.
#[derive(Debug, Clone, Copy)]
pub struct StagedOutput<'a> {
    /// The writer's name.
    pub format: &'static str,
    /// Where the output is staged: a temporary file, or a temporary directory for a writer
    /// that [`writes_directory`](Writer::writes_directory).
    pub staged: &'a Path,
    /// Where it goes once everything succeeded.
    pub path: &'a Path,
}

/// The package name used when none is given: a single file's stem, a single directory's
/// name, else `deck`. Names Anki would treat as a whole collection get `-deck` appended.
pub fn default_package_name(inputs: &[PathBuf]) -> String {
    let name = match inputs {
        [one] => {
            let path = std::fs::canonicalize(one).unwrap_or_else(|_| one.clone());
            if path.is_dir() {
                path.file_name()
            } else {
                path.file_stem()
            }
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
        }
        _ => String::new(),
    };
    let name = if name.is_empty() {
        "deck".to_owned()
    } else {
        name
    };
    if check_package_name(&name).is_err() {
        format!("{name}-deck")
    } else {
        name
    }
}

/// Rejects package names that are empty, contain a path separator, or that Anki would
/// import as a whole collection (`collection.apkg`, `backup-*.apkg`), replacing the user's
/// collection instead of adding a deck.
pub fn check_package_name(name: &str) -> Result<()> {
    let lower = name.to_lowercase();
    if name.trim().is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(Error::Usage(format!(
            "invalid package name `{name}`: use a plain file name without directories"
        )));
    }
    if lower == "collection" || lower.starts_with("backup-") {
        return Err(Error::Usage(format!(
            "package name `{name}` is reserved: Anki imports `{name}.apkg` as a whole collection and replaces the user's own; pick another name"
        )));
    }
    Ok(())
}

/// A temporary file in `dir`, next to where its content will end up.
fn stage_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".decksmith-")
        .suffix(".tmp")
        .tempfile_in(dir)
}

/// Why outputs cannot be staged for `out_dir`, said of the directory the user named (not of
/// the temporary file, nor of the ancestor it waits in).
fn out_dir_error(out_dir: &Path, e: std::io::Error) -> Error {
    let action = if out_dir.is_dir() {
        "write to the output directory"
    } else {
        "create the output directory"
    };
    Error::io_doing(action, out_dir, e)
}

/// The content of a file written along with the outputs (such as the lock file).
pub type ExtraContent = Box<dyn std::io::Read + Send>;

/// How a build that fed the writers ends.
pub enum Finish<T> {
    /// Every note was sent: give the writers the manifest, and write `extra_files` (such as
    /// the lock file) with the outputs, all or nothing.
    Commit {
        /// Decks, note types used, media, collection time.
        manifest: Manifest,
        /// `(path, content)` of other files to replace along with the outputs.
        extra_files: Vec<(PathBuf, ExtraContent)>,
        /// What the build wants back.
        value: T,
    },
    /// Throw every output away and change no file (for example, to run the build again).
    Discard(T),
}

/// Documents' notes in flight to each writer: enough to keep every writer busy, little
/// enough that memory does not grow with the deck.
const BATCHES_IN_FLIGHT: usize = 16;

/// What a writer thread receives.
enum Message {
    Notes(Arc<Vec<Note>>),
    End(Arc<Manifest>),
}

/// A writer's side of its channel.
struct ChannelStream<'o> {
    format: &'static str,
    observer: &'o dyn Observer,
    memory: Option<&'o Memory>,
    rx: Receiver<Message>,
    note_types: Vec<NoteType>,
    batch: Option<Arc<Vec<Note>>>,
    next: usize,
    manifest: Option<Arc<Manifest>>,
}

impl ChannelStream<'_> {
    /// Tells the observer that the current batch was written, when there is one.
    fn batch_done(&self) {
        if let Some(b) = &self.batch {
            self.observer.notes_written(self.format, b.len());
        }
    }
}

impl NoteStream for ChannelStream<'_> {
    fn note_types(&self) -> &[NoteType] {
        &self.note_types
    }

    fn memory(&self) -> Option<&Memory> {
        self.memory
    }

    fn next_note(&mut self) -> Result<Option<&Note>> {
        if self.manifest.is_some() {
            return Ok(None);
        }
        while self.batch.as_ref().is_none_or(|b| self.next >= b.len()) {
            self.batch_done();
            if self.observer.should_stop() {
                return Err(Error::Interrupted);
            }
            match self.rx.recv() {
                Ok(Message::Notes(batch)) => {
                    self.batch = Some(batch);
                    self.next = 0;
                }
                Ok(Message::End(manifest)) => {
                    self.batch = None;
                    self.manifest = Some(manifest);
                    return Ok(None);
                }
                Err(_) => return Err(Error::Stopped),
            }
        }
        self.next += 1;
        Ok(self.batch.as_ref().map(|b| &b[self.next - 1]))
    }

    fn manifest(&mut self) -> Result<&Manifest> {
        while self.manifest.is_none() {
            match self.rx.recv() {
                Ok(Message::Notes(_)) => {}
                Ok(Message::End(manifest)) => self.manifest = Some(manifest),
                Err(_) => return Err(Error::Stopped),
            }
        }
        Ok(self.manifest.as_deref().unwrap_or_else(|| unreachable!()))
    }
}

/// The build's side: every batch goes to every writer.
struct Fanout {
    senders: Vec<SyncSender<Message>>,
}

impl NoteSink for Fanout {
    fn notes(&mut self, notes: Vec<Note>) -> Result<()> {
        if notes.is_empty() {
            return Ok(());
        }
        let batch = Arc::new(notes);
        for tx in &self.senders {
            // A writer that hung up failed; its error is reported when it is joined.
            tx.send(Message::Notes(Arc::clone(&batch)))
                .map_err(|_| Error::Stopped)?;
        }
        Ok(())
    }
}

/// A writer's staged output file: buffered writes, and reads that first write out the buffer,
/// so that a writer reading back what it wrote sees every byte of it. Every write tells the
/// observer (a mebibyte at a time) and fails once it asks to stop.
struct StagedFile<'o> {
    file: BufWriter<std::fs::File>,
    format: &'static str,
    observer: &'o dyn Observer,
    /// Bytes written and not yet reported.
    unreported: u64,
}

impl StagedFile<'_> {
    /// Reports the bytes not yet reported.
    fn report(&mut self) {
        if self.unreported > 0 {
            self.observer.bytes_written(self.format, self.unreported);
            self.unreported = 0;
        }
    }

    fn counted(&mut self, n: usize) -> std::io::Result<()> {
        self.unreported += n as u64;
        if self.unreported >= 1 << 20 {
            self.report();
            if self.observer.should_stop() {
                // Not `ErrorKind::Interrupted`: `write_all` would retry.
                return Err(std::io::Error::other("interrupted"));
            }
        }
        Ok(())
    }
}

impl Write for StagedFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.counted(n)?;
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.file.write_all(buf)?;
        self.counted(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Seek for StagedFile<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.seek(pos)
    }
}

impl Read for StagedFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file.flush()?;
        self.file.get_mut().read(buf)
    }
}

/// Where a run's outputs go, and who watches it.
pub struct Run<'a> {
    /// The writers, with their settings.
    pub writers: &'a [Selected<'a>],
    /// The output directory.
    pub out_dir: &'a Path,
    /// The outputs' base name.
    pub name: &'a str,
    /// Every note type a note may use.
    pub note_types: &'a [NoteType],
    /// Told of the notes and bytes each writer writes and how long it took; asked whether to
    /// stop.
    pub observer: &'a dyn Observer,
    /// Instead of a file in `out_dir`, copy the one output here once everything succeeded
    /// (the [`Written`] path is then `-`). Only for a run with exactly one writer.
    pub pipe: Option<&'a mut dyn Write>,
    /// What the writers keep between the runs of this process, if anything.
    pub memory: Option<&'a Memory>,
}

/// Where an output waits until everything succeeded.
enum Staging {
    /// A temporary file, with its path unless it goes to a pipe (then it is anonymous).
    File(std::fs::File, Option<tempfile::TempPath>),
    /// A temporary directory (a writer that [`writes_directory`](Writer::writes_directory)).
    Dir(tempfile::TempDir),
}

impl Staging {
    /// Where it is, unless it is an anonymous file.
    fn path(&self) -> Option<&Path> {
        match self {
            Staging::File(_, path) => path.as_deref(),
            Staging::Dir(dir) => Some(dir.path()),
        }
    }
}

/// A staged output: what is known about it, and where it waits.
type Staged = (&'static str, PathBuf, WriteReport, Option<String>, Staging);

/// Runs each writer in its own thread into a temporary file in `out_dir`, while `produce`
/// feeds them notes through the sink it is given; then, if `produce` commits, renames the
/// outputs to `out_dir/name<suffix>` and writes its extra files, all or nothing: if anything
/// fails (or `produce` discards), no file is created or changed. Returns what was written
/// (nothing on a discard) and `produce`'s value.
pub fn write_streaming<T>(
    writers: &[Selected<'_>],
    out_dir: &Path,
    name: &str,
    note_types: &[NoteType],
    produce: impl FnOnce(&mut dyn NoteSink) -> Result<Finish<T>>,
) -> Result<(Vec<Written>, T)> {
    let run = Run {
        writers,
        out_dir,
        name,
        note_types,
        observer: &Unobserved,
        pipe: None,
        memory: None,
    };
    run_streaming(run, produce)
}

/// [`write_streaming`] as [`Run`] says: with an observer, and maybe into a pipe. A run whose
/// observer asks to stop fails with [`Error::Interrupted`] and leaves no file behind.
pub fn run_streaming<T>(
    run: Run<'_>,
    produce: impl FnOnce(&mut dyn NoteSink) -> Result<Finish<T>>,
) -> Result<(Vec<Written>, T)> {
    run_streaming_then(run, produce, |_| Ok(()))
}

/// [`run_streaming`], with one more step before anything is renamed into place: once every
/// writer has staged its output and `produce` committed, `finish` sees the staged outputs
/// (not one going to a pipe) and may complete them (write more files into a staged
/// directory); its error leaves nothing behind, like any other. A directory output may
/// replace nothing but an empty directory: that is checked before anything is written.
pub fn run_streaming_then<T>(
    run: Run<'_>,
    produce: impl FnOnce(&mut dyn NoteSink) -> Result<Finish<T>>,
    finish: impl FnOnce(&[StagedOutput<'_>]) -> Result<()>,
) -> Result<(Vec<Written>, T)> {
    let Run {
        writers,
        out_dir,
        name,
        note_types,
        observer,
        mut pipe,
        memory,
    } = run;
    check_package_name(name)?;
    if pipe.is_some() && writers.len() != 1 {
        return Err(Error::Usage(
            "only one output can go to a pipe: choose one format".to_owned(),
        ));
    }
    for (writer, _) in writers.iter().filter(|(w, _)| w.writes_directory()) {
        if pipe.is_some() {
            return Err(Error::Usage(format!(
                "the {} format writes a directory, which cannot go to a pipe",
                writer.name()
            )));
        }
        let path = out_dir.join(format!("{name}{}", writer.file_suffix()));
        let occupied = match std::fs::read_dir(&path) {
            Ok(mut entries) => entries.next().is_some(),
            Err(e) => e.kind() != std::io::ErrorKind::NotFound,
        };
        if occupied {
            return Err(Error::Usage(format!(
                "{} already exists: the {} format writes a new directory; remove it, or choose another name (-n) or directory (-o)",
                path.display(),
                writer.name()
            )));
        }
    }
    // Outputs are staged next to where they go; a directory that does not exist yet is made
    // only once they are complete (until then they wait in its nearest existing ancestor, on
    // the same file system), so a failed build creates nothing at all. An output for a pipe
    // waits in an anonymous temporary file, which nothing can leave behind.
    let stage_dir = existing_ancestor(out_dir);
    if pipe.is_none() {
        remove_stale_temporaries(&stage_dir);
    }
    let piped = pipe.is_some();
    let write_one =
        |(writer, settings): &Selected<'_>, mut notes: ChannelStream<'_>| -> Result<Staged> {
            let started = Instant::now();
            let path = if piped {
                PathBuf::from("-")
            } else {
                out_dir.join(format!("{name}{}", writer.file_suffix()))
            };
            if writer.writes_directory() {
                let dir = tempfile::Builder::new()
                    .prefix(".decksmith-")
                    .suffix(".tmp")
                    .tempdir_in(&stage_dir)
                    .map_err(|e| out_dir_error(out_dir, e))?;
                let report = writer.write_dir(&mut notes, settings, dir.path());
                notes.batch_done();
                if observer.should_stop() {
                    return Err(Error::Interrupted);
                }
                let report = report?;
                observer.stage(Stage::Write(writer.name()), started.elapsed());
                let hint = writer.import_hint(settings);
                return Ok((writer.name(), path, report, hint, Staging::Dir(dir)));
            }
            let (file, tmp_path) = if piped {
                let file = tempfile::tempfile().map_err(|e| {
                    Error::io_doing("create a temporary file in", std::env::temp_dir(), e)
                })?;
                (file, None)
            } else {
                let (file, tmp_path) = stage_in(&stage_dir)
                    .map_err(|e| out_dir_error(out_dir, e))?
                    .into_parts();
                (file, Some(tmp_path))
            };
            let mut out = StagedFile {
                file: BufWriter::with_capacity(256 * 1024, file),
                format: writer.name(),
                observer,
                unreported: 0,
            };
            let report = writer.write(&mut notes, settings, &mut out);
            notes.batch_done();
            if observer.should_stop() {
                return Err(Error::Interrupted);
            }
            let report = report?;
            out.flush()
                .map_err(|e| Error::io_doing("write", &path, e))?;
            out.report();
            let file = out
                .file
                .into_inner()
                .map_err(|e| Error::io_doing("write", &path, e.into_error()))?;
            if !piped {
                file.sync_all()
                    .map_err(|e| Error::io_doing("write", &path, e))?;
            }
            observer.stage(Stage::Write(writer.name()), started.elapsed());
            let hint = writer.import_hint(settings);
            Ok((
                writer.name(),
                path,
                report,
                hint,
                Staging::File(file, tmp_path),
            ))
        };
    let (produced, results): (Result<Finish<T>>, Vec<Result<_>>) = std::thread::scope(|scope| {
        let mut senders = Vec::with_capacity(writers.len());
        let mut handles = Vec::with_capacity(writers.len());
        for writer in writers {
            let (tx, rx) = sync_channel(BATCHES_IN_FLIGHT);
            senders.push(tx);
            let stream = ChannelStream {
                format: writer.0.name(),
                observer,
                memory,
                rx,
                note_types: note_types.to_vec(),
                batch: None,
                next: 0,
                manifest: None,
            };
            handles.push(scope.spawn(move || write_one(writer, stream)));
        }
        let mut fanout = Fanout { senders };
        let produced = produce(&mut fanout);
        if let Ok(Finish::Commit { manifest, .. }) = &produced {
            let manifest = Arc::new(manifest.clone());
            for tx in &fanout.senders {
                let _ = tx.send(Message::End(Arc::clone(&manifest)));
            }
        }
        // Hanging up stops every writer that has not seen the end.
        drop(fanout);
        let results = handles
            .into_iter()
            .zip(writers)
            .map(|(h, (writer, _))| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Write {
                        format: writer.name(),
                        message:
                            "stopped unexpectedly; this is a bug in decksmith, please report it"
                                .to_owned(),
                    })
                })
            })
            .collect();
        (produced, results)
    });
    // A writer's own failure explains everything that stopped after it.
    let writer_failure = results
        .iter()
        .position(|r| matches!(r, Err(e) if !matches!(e, Error::Stopped)));
    let (extra_files, value) = match produced {
        Err(e) => {
            return Err(match (e, writer_failure) {
                (Error::Stopped, Some(i)) => results
                    .into_iter()
                    .nth(i)
                    .and_then(Result::err)
                    .unwrap_or(Error::Stopped),
                (e, _) => e,
            });
        }
        Ok(Finish::Discard(value)) => return Ok((Vec::new(), value)),
        Ok(Finish::Commit {
            extra_files, value, ..
        }) => (extra_files, value),
    };
    let staged = results.into_iter().collect::<Result<Vec<_>>>()?;
    if observer.should_stop() {
        return Err(Error::Interrupted);
    }
    let views: Vec<StagedOutput<'_>> = staged
        .iter()
        .filter_map(|(format, path, _, _, staging)| {
            Some(StagedOutput {
                format,
                staged: staging.path()?,
                path,
            })
        })
        .collect();
    finish(&views)?;
    drop(views);
    let started = Instant::now();
    // Extra files are staged like the outputs, in the nearest existing directory on their way;
    // directories are created only once everything is staged.
    let mut extra = Vec::with_capacity(extra_files.len());
    for (path, mut content) in extra_files {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let stage_dir = existing_ancestor(dir);
        remove_stale_temporaries(&stage_dir);
        let write_error = |e| Error::io_doing("write", &path, e);
        let mut tmp = stage_in(&stage_dir).map_err(write_error)?;
        std::io::copy(&mut content, &mut tmp).map_err(write_error)?;
        tmp.as_file().sync_all().map_err(write_error)?;
        extra.push((dir.to_path_buf(), path, tmp));
    }
    if let Some(pipe) = pipe.as_mut() {
        // Before anything is renamed: a pipe that fails changes no file.
        for (_, path, _, _, staging) in &staged {
            let Staging::File(file, _) = staging else {
                continue;
            };
            let mut file = file;
            file.seek(std::io::SeekFrom::Start(0))
                .map_err(|e| Error::io_doing("write", path, e))?;
            std::io::copy(&mut file, pipe).map_err(|e| Error::io_doing("write", path, e))?;
            pipe.flush()
                .map_err(|e| Error::io_doing("write", path, e))?;
        }
    } else {
        std::fs::create_dir_all(out_dir).map_err(|e| out_dir_error(out_dir, e))?;
    }
    let mut written = Vec::with_capacity(staged.len());
    for (dir, path, tmp) in extra {
        std::fs::create_dir_all(&dir).map_err(|e| Error::io_doing("write", &path, e))?;
        make_readable(tmp.path()).map_err(|e| Error::io_doing("write", &path, e))?;
        tmp.persist(&path)
            .map_err(|e| Error::io_doing("write", &path, e.error))?;
    }
    for (format, path, report, import_hint, staging) in staged {
        match staging {
            Staging::File(file, tmp_path) => {
                drop(file);
                if let Some(tmp_path) = tmp_path {
                    make_readable(&tmp_path).map_err(|e| Error::io_doing("write", &path, e))?;
                    tmp_path
                        .persist(&path)
                        .map_err(|e| Error::io_doing("write", &path, e.error))?;
                }
            }
            Staging::Dir(dir) => {
                make_dir_readable(dir.path()).map_err(|e| Error::io_doing("write", &path, e))?;
                let kept = dir.keep();
                // Renaming a directory replaces an empty one (checked before writing).
                std::fs::rename(&kept, &path).map_err(|e| {
                    let _ = std::fs::remove_dir_all(&kept);
                    Error::io_doing("write", &path, e)
                })?;
            }
        }
        written.push(Written {
            format,
            path,
            report,
            import_hint,
        });
    }
    observer.stage(Stage::Commit, started.elapsed());
    Ok((written, value))
}

/// Writes a package held in memory with each writer to `out_dir/name<suffix>`, and each
/// `(path, bytes)` of `extra_files`, all or nothing; `timestamp` is the collection time.
pub fn write_outputs(
    package: &Package,
    writers: &[Selected<'_>],
    out_dir: &Path,
    name: &str,
    timestamp: i64,
    extra_files: &[(PathBuf, Vec<u8>)],
) -> Result<Vec<Written>> {
    let (written, ()) = write_streaming(writers, out_dir, name, &package.note_types, |sink| {
        sink.notes(package.notes.clone())?;
        Ok(Finish::Commit {
            manifest: package.manifest(timestamp),
            extra_files: extra_files
                .iter()
                .map(|(p, b)| {
                    let content: ExtraContent = Box::new(std::io::Cursor::new(b.clone()));
                    (p.clone(), content)
                })
                .collect(),
            value: (),
        })
    })?;
    Ok(written)
}

/// `dir` if it exists, else its nearest ancestor that does (`.` for a relative path with none).
fn existing_ancestor(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.is_dir())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// How old a leftover temporary file must be before a build removes it: far longer than any
/// build takes, so a build running at the same time never loses its files.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Removes `.decksmith-*.tmp` files and directories that a killed build (SIGKILL, power
/// loss) left in `dir` more than [`STALE_AFTER`] ago. Best effort: anything unreadable is
/// left alone.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".decksmith-") && name.ends_with(".tmp")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let path = entry.path();
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(path);
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Temporary directories are private (0700); an output directory is an ordinary one (0755).
fn make_dir_readable(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Temporary files are private (0600); outputs are ordinary files (0644).
fn make_readable(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writers::Output;

    struct Fixed(&'static str, bool);

    impl Writer for Fixed {
        fn name(&self) -> &'static str {
            self.0
        }
        fn file_suffix(&self) -> &'static str {
            if self.1 { ".fail" } else { ".txt" }
        }
        fn write(
            &self,
            _: &mut dyn crate::writers::NoteStream,
            _: &Settings,
            out: &mut dyn Output,
        ) -> Result<WriteReport> {
            out.write_all(b"new").map_err(|e| Error::io("x", e))?;
            if self.1 {
                return Err(Error::Write {
                    format: "fail",
                    message: "boom".into(),
                });
            }
            Ok(WriteReport::default())
        }
    }

    /// Writes `hello`, reads `he` back, overwrites the next two bytes, then reads on.
    struct ReadBack;

    impl Writer for ReadBack {
        fn name(&self) -> &'static str {
            "readback"
        }
        fn file_suffix(&self) -> &'static str {
            ".txt"
        }
        fn write(
            &self,
            _: &mut dyn crate::writers::NoteStream,
            _: &Settings,
            out: &mut dyn Output,
        ) -> Result<WriteReport> {
            let io = |e| Error::io("x", e);
            out.write_all(b"hello").map_err(io)?;
            out.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
            let mut two = [0; 2];
            out.read_exact(&mut two).map_err(io)?;
            out.write_all(b"XY").map_err(io)?;
            let mut rest = Vec::new();
            out.read_to_end(&mut rest).map_err(io)?;
            assert_eq!((&two, &rest[..]), (b"he", &b"o"[..]));
            Ok(WriteReport::default())
        }
    }

    #[test]
    fn a_writer_reads_back_what_it_wrote_even_while_writes_are_buffered() {
        let dir = tempfile::tempdir().unwrap();
        let w = write_outputs(
            &empty(),
            &[(&ReadBack, Settings::default())],
            dir.path(),
            "deck",
            0,
            &[],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&w[0].path).unwrap(), "heXYo");
    }

    fn empty() -> Package {
        Package {
            note_types: vec![],
            decks: vec![],
            notes: vec![],
            media: vec![],
        }
    }

    #[test]
    fn a_failing_writer_leaves_every_previous_output_untouched() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("deck.txt"), "old").unwrap();
        let err = write_outputs(
            &empty(),
            &[
                (&Fixed("ok", false), Settings::default()),
                (&Fixed("fail", true), Settings::default()),
            ],
            dir.path(),
            "deck",
            0,
            &[(dir.path().join("decksmith.lock"), b"lock".to_vec())],
        )
        .unwrap_err();
        assert!(err.to_string().contains("boom"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("deck.txt")).unwrap(),
            "old"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(
            names,
            ["deck.txt"],
            "no temporary or partial files are left"
        );
    }

    #[test]
    fn successful_outputs_replace_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("deck.txt"), "old").unwrap();
        let w = write_outputs(
            &empty(),
            &[(&Fixed("ok", false), Settings::default())],
            dir.path(),
            "deck",
            0,
            &[(dir.path().join("x.lock"), b"lock".to_vec())],
        )
        .unwrap();
        assert_eq!(std::fs::read(dir.path().join("x.lock")).unwrap(), b"lock");
        assert_eq!(w[0].path, dir.path().join("deck.txt"));
        assert_eq!(std::fs::read_to_string(&w[0].path).unwrap(), "new");
    }

    #[test]
    fn temporaries_left_by_a_killed_build_are_removed_once_stale() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".decksmith-abc.tmp");
        let fresh = dir.path().join(".decksmith-def.tmp");
        let other = dir.path().join("keep.tmp");
        for p in [&stale, &fresh, &other] {
            std::fs::write(p, "x").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for p in [&stale, &other] {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        }
        write_outputs(
            &empty(),
            &[(&Fixed("ok", false), Settings::default())],
            dir.path(),
            "deck",
            0,
            &[],
        )
        .unwrap();
        assert!(!stale.exists(), "a stale temporary is removed");
        assert!(fresh.exists(), "a fresh one may belong to a running build");
        assert!(other.exists(), "other files are never touched");
    }

    #[test]
    fn collection_names_are_refused_or_avoided() {
        assert!(check_package_name("collection").is_err());
        assert!(check_package_name("Backup-2024").is_err());
        assert!(check_package_name("a/b").is_err());
        assert!(check_package_name("day-25").is_ok());
        assert_eq!(
            default_package_name(&[PathBuf::from("collection.md")]),
            "collection-deck"
        );
        assert_eq!(
            default_package_name(&[PathBuf::from("notes/day-25.md")]),
            "day-25"
        );
        assert_eq!(default_package_name(&[]), "deck");
    }
}
