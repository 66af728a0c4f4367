//! The `markdown` reader: Markdown study documents, read by the build's own front end
//! (`crate::source`) exactly as `decksmith build` reads them with no `decksmith.toml`: the
//! built-in templates, decks from titles and front matter, guids from the notes' keys. A
//! project with a configuration and a lock is built with `decksmith build`; this reads loose
//! documents (a file, or a directory walked like `build` walks it).

use std::path::Path;

use crate::error::Result;
use crate::model::templates::Templates;
use crate::model::{NoteSink, NoteType};
use crate::readers::{Input, ReadContext, ReadOutcome, Reader};
use crate::source::{self, BuildOptions};

/// Reads Markdown documents.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownReader;

impl Reader for MarkdownReader {
    fn name(&self) -> &'static str {
        "markdown"
    }

    fn description(&self) -> &'static str {
        "Markdown study documents (.md, .markdown, or a directory of them), as `build` reads them"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["md", "markdown"]
    }

    fn sniff(&self, _head: &[u8]) -> bool {
        false
    }

    fn open(&self, path: &Path, ctx: &ReadContext) -> Result<Box<dyn Input>> {
        let root = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().unwrap_or(Path::new(".")).to_path_buf()
        };
        let opts = BuildOptions {
            inputs: vec![path.to_path_buf()],
            deck: ctx.deck.clone(),
            templates: Templates::builtin(),
            timestamp: ctx.timestamp,
            root,
            ..BuildOptions::default()
        };
        Ok(Box::new(MarkdownInput {
            note_types: source::note_types(&opts),
            opts,
        }))
    }
}

struct MarkdownInput {
    opts: BuildOptions,
    note_types: Vec<NoteType>,
}

impl Input for MarkdownInput {
    fn note_types(&self) -> &[NoteType] {
        &self.note_types
    }

    fn read(&mut self, sink: &mut dyn NoteSink) -> Result<ReadOutcome> {
        let mut streamed = source::stream_with(&self.opts, source::Hooks::default(), sink)?;
        let warnings = streamed.take_warnings()?;
        Ok(ReadOutcome {
            notes: streamed.notes,
            media: streamed.media,
            warnings,
        })
    }
}
