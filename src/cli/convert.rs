//! `decksmith convert`: its arguments, the request they make, and what it prints.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::builder::PossibleValuesParser;

use decksmith::pipeline::{self, ConvertRequest, Converted};
use decksmith::readers::{self, Limits};

use super::print::Printer;
use super::ui::Ui;
use super::{Outcome, WriterFlags, interrupt, progress};

/// Arguments of `decksmith convert`.
#[derive(Debug, clap::Args)]
pub(crate) struct ConvertArgs {
    /// The decks to convert: Anki packages (.apkg, .colpkg), Anki's "Notes in Plain Text"
    /// (.txt, .csv, .tsv), Quizlet export text (.quizlet.txt), decksmith JSON (.json),
    /// Markdown (.md, or a directory of them).
    #[arg(value_name = "INPUT", required = true)]
    pub(crate) inputs: Vec<PathBuf>,

    /// Directory to write the outputs to [default: the current directory].
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,

    /// Base name of the outputs (`-f markdown` writes the project `DIR/NAME/`) [default: the
    /// input file's stem].
    #[arg(short = 'n', long = "name", value_name = "NAME")]
    pub(crate) name: Option<String>,

    /// Output formats, repeatable or comma-separated [default: markdown; for Markdown
    /// inputs, apkg,csv,quizlet].
    #[arg(
        short = 'f',
        long = "format",
        value_name = "FMT",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(decksmith::writers::WRITERS.iter().map(|w| w.name())),
    )]
    pub(crate) formats: Vec<String>,

    /// Read every input as this format instead of telling it from the name or the content.
    #[arg(
        long,
        value_name = "FMT",
        value_parser = PossibleValuesParser::new(readers::READERS.iter().map(|r| r.name())),
    )]
    pub(crate) from: Option<String>,

    /// The deck for notes whose input names none (Quizlet text, text files without a deck
    /// column) [default: the input file's name].
    #[arg(long, value_name = "DECK")]
    pub(crate) deck: Option<String>,

    /// Quizlet text: between term and definition, `tab`, `comma` or any text (read and
    /// written) [default: tab].
    #[arg(long, value_name = "SEP")]
    pub(crate) term_separator: Option<String>,

    /// Quizlet text: between cards, `newline`, `semicolon` or any text (read and written)
    /// [default: newline].
    #[arg(long, value_name = "SEP")]
    pub(crate) card_separator: Option<String>,

    /// The writers' own flags (`--compression`), declared by each writer.
    #[command(flatten)]
    pub(crate) writer_flags: WriterFlags,
}

impl ConvertArgs {
    /// The library request these arguments make; `timestamp` stamps notes without a `mod`.
    pub(crate) fn request(self, timestamp: i64) -> ConvertRequest {
        ConvertRequest {
            inputs: self.inputs,
            from: self.from,
            out_dir: self.out_dir.unwrap_or_default(),
            name: self.name,
            formats: self.formats,
            writer_settings: self.writer_flags.0,
            deck: self.deck,
            term_separator: self.term_separator,
            card_separator: self.card_separator,
            timestamp,
            limits: Limits::default(),
            observer: None,
        }
    }
}

/// Runs `decksmith convert`, with progress.
pub(crate) fn run(args: ConvertArgs, ui: &Ui) -> anyhow::Result<Outcome> {
    interrupt::install();
    let request = args.request(super::build::build_timestamp()?);
    let converted = progress::observing(ui, |observer| {
        pipeline::convert(&ConvertRequest {
            observer: Some(observer),
            ..request
        })
    })?;
    print_converted(&converted, ui).context("writing to stdout")?;
    Ok(Outcome::Done)
}

/// Prints the warnings (stderr), then, unless quiet, what was read and each output with its
/// counts.
fn print_converted(c: &Converted, ui: &Ui) -> std::io::Result<()> {
    let mut printer = Printer::default();
    for w in &c.warnings {
        printer.human(w);
    }
    for w in &c.written {
        for warning in &w.report.warnings {
            eprintln!("{warning}");
        }
    }
    if ui.quiet {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    for (path, reader) in &c.inputs {
        writeln!(stdout, "{reader:>8} {} (read)", path.display())?;
    }
    for w in &c.written {
        writeln!(
            stdout,
            "{:>8} {}: {} notes, {} cards, {} media",
            w.format,
            w.path.display(),
            w.report.notes,
            w.report.cards,
            w.report.media
        )?;
        if let Some(hint) = &w.import_hint {
            writeln!(stdout, "          {hint}")?;
        }
        if w.format == "markdown" {
            writeln!(
                stdout,
                "          a decksmith project: `cd {} && decksmith build` makes the deck again",
                w.path.display()
            )?;
        }
    }
    Ok(())
}
