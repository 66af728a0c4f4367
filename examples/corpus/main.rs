//! `cargo run --release --example corpus -- --notes N [--files M] [--seed S] --out DIR`:
//! writes a synthetic benchmark corpus of seed-style study documents (see `generator.rs`).
//! Dev tooling for `bench/run.sh` and profiling; not part of the installed binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

mod generator;

/// Write a synthetic benchmark corpus.
#[derive(Debug, Parser)]
#[command(name = "corpus")]
struct Args {
    /// Total number of notes.
    #[arg(long, value_name = "N")]
    notes: usize,

    /// Number of documents to spread them over.
    #[arg(long, value_name = "M", default_value_t = 100)]
    files: usize,

    /// Directory to write the documents to (created; existing `part-*.md` files are
    /// overwritten).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Seed of the text generator.
    #[arg(long, value_name = "S", default_value_t = generator::CorpusSpec::DEFAULT_SEED)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let spec = generator::CorpusSpec {
        notes: args.notes,
        files: args.files,
        seed: args.seed,
    };
    match write(&spec, &args.out) {
        Ok(bytes) => {
            println!(
                "wrote {} notes in {} files ({bytes} bytes) to {}",
                spec.notes,
                spec.files,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Writes every document of `spec` into `out`; returns the bytes written.
fn write(spec: &generator::CorpusSpec, out: &std::path::Path) -> Result<usize, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let mut bytes = 0;
    for doc in spec.documents()? {
        let path = out.join(&doc.name);
        std::fs::write(&path, &doc.text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        bytes += doc.text.len();
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::generator::{CorpusDocument, CorpusSpec};

    fn spec(notes: usize, files: usize) -> CorpusSpec {
        CorpusSpec {
            notes,
            files,
            seed: CorpusSpec::DEFAULT_SEED,
        }
    }

    fn all(spec: &CorpusSpec) -> Vec<CorpusDocument> {
        spec.documents().expect("valid spec").collect()
    }

    #[test]
    fn the_same_spec_gives_byte_identical_documents() {
        assert_eq!(all(&spec(50, 3)), all(&spec(50, 3)));
    }

    #[test]
    fn another_seed_gives_other_text_with_the_same_shape() {
        let a = all(&spec(10, 2));
        let b = all(&CorpusSpec {
            seed: 7,
            ..spec(10, 2)
        });
        assert_ne!(a, b);
        assert_eq!(
            a.iter().map(|d| (&d.name, d.notes)).collect::<Vec<_>>(),
            b.iter().map(|d| (&d.name, d.notes)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_documents_parse_into_exactly_the_requested_number_of_notes() {
        let docs = all(&spec(101, 4));
        assert_eq!(
            docs.iter().map(|d| d.notes).collect::<Vec<_>>(),
            [26, 25, 25, 25]
        );
        // Built as a user would build them: every document gives exactly its notes.
        let dir = tempfile::tempdir().expect("a temporary directory");
        for d in &docs {
            std::fs::write(dir.path().join(&d.name), &d.text).expect("writing a document");
        }
        let project = decksmith::project::Project::discover(dir.path()).expect("a project");
        let request = decksmith::pipeline::Request {
            overrides: decksmith::project::Overrides {
                inputs: vec![dir.path().to_path_buf()],
                ..Default::default()
            },
            ..Default::default()
        };
        let loaded = decksmith::pipeline::load(&project, &request).expect("the corpus loads");
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let mut questions = 0;
        for d in &docs {
            let n = loaded
                .package
                .notes
                .iter()
                .filter(|n| n.source.path == d.name)
                .count();
            assert_eq!(n, d.notes, "{}", d.name);
            questions += n;
        }
        assert!(loaded.package.notes[0].deck.starts_with("STUDY SET"));
        assert_eq!(questions, 101);
    }

    #[test]
    fn an_answer_is_about_one_and_a_half_kilobytes() {
        let docs = all(&spec(200, 1));
        let per_note = docs[0].text.len() / 200;
        assert!(
            (1300..=1800).contains(&per_note),
            "{per_note} bytes per note"
        );
    }

    #[test]
    fn an_answer_has_bold_math_a_list_and_a_tab_separated_table() {
        let text = &all(&spec(1, 1))[0].text;
        assert!(text.contains("\nAnswer:\n"));
        assert!(text.contains("**"));
        assert!(text.contains('$'));
        assert!(text.contains("\n- "));
        assert!(text.contains("setting\tdepth\tparams"));
    }

    #[test]
    fn specs_without_files_or_with_empty_files_are_usage_errors() {
        assert!(spec(5, 0).validate().is_err());
        assert!(spec(2, 3).validate().is_err());
        assert!(spec(3, 3).validate().is_ok());
    }
}
