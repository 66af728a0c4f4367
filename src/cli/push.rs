//! `decksmith push`: its arguments, the push request they make, and what it prints: the plan
//! for `--dry-run`, else a summary of what was sent.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use decksmith::pipeline::{self, PushOutcome, Request};
use decksmith::project::Overrides;
use decksmith::push::{DEFAULT_URL, Options, Plan, Target};

use super::print::{Printer, plural};
use super::ui::Ui;
use super::{Outcome, interrupt, progress};

/// Arguments of `decksmith push`.
#[derive(Debug, clap::Args)]
pub(crate) struct PushArgs {
    /// Markdown files or directories to push (directories are walked in sorted order)
    /// [default: `inputs` in decksmith.toml, else content].
    #[arg(value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// Where AnkiConnect listens.
    #[arg(long, value_name = "URL", env = "ANKICONNECT_URL", default_value = DEFAULT_URL)]
    pub(crate) url: String,

    /// AnkiConnect's API key, when one is set in its configuration (`apiKey`).
    #[arg(
        long,
        value_name = "KEY",
        env = "ANKICONNECT_KEY",
        hide_env_values = true
    )]
    pub(crate) key: Option<String>,

    /// Print what would be added, updated, moved and deleted, and change nothing (only reads
    /// are sent; the lock is not written).
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Also delete this project's notes that the documents no longer have (only notes of
    /// decksmith's push note types carrying this project's id; never other notes).
    #[arg(long)]
    pub(crate) delete: bool,

    /// Put every note in this deck (`Parent::Child` for a subdeck) instead of the deck each
    /// document's front matter, decksmith.toml, directories or title name.
    #[arg(long, value_name = "DECK")]
    pub(crate) deck: Option<String>,

    /// Lock file recording note identity [default: decksmith.lock in the project root].
    #[arg(long, value_name = "PATH")]
    pub(crate) lock: Option<PathBuf>,

    /// Fail on warnings too, pushing nothing.
    #[arg(long)]
    pub(crate) strict: bool,

    /// Keep raw HTML in the documents as written (only for content you trust).
    #[arg(long = "trust-html")]
    pub(crate) trust_html: bool,

    /// Directory with template files overriding the built-in ones [default: `templates` in
    /// decksmith.toml].
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
}

impl PushArgs {
    fn request(&self, timestamp: i64) -> Request {
        Request {
            overrides: Overrides {
                inputs: self.inputs.clone(),
                templates: self.templates.clone(),
                lock: self.lock.clone(),
                ..Overrides::default()
            },
            deck: self.deck.clone(),
            trust_html: self.trust_html,
            strict: self.strict,
            timestamp,
            ..Request::default()
        }
    }
}

/// Runs `decksmith push`.
pub(crate) fn run(args: &PushArgs, ui: &Ui) -> anyhow::Result<Outcome> {
    interrupt::install();
    let request = args.request(super::build::build_timestamp()?);
    let project = super::project()?;
    let target = Target {
        url: args.url.clone(),
        key: args.key.clone().filter(|k| !k.is_empty()),
    };
    let options = Options {
        dry_run: args.dry_run,
        delete: args.delete,
    };
    let result = progress::observed(ui, request, None, |r| {
        pipeline::push(&project, r, &target, options)
    });
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(decksmith::Error::Interrupted) => {
            eprintln!(
                "interrupted: Anki has what was sent so far, each note whole; push again to \
                 finish (the lock was not written)"
            );
            return Ok(Outcome::Interrupted);
        }
        Err(e) => return Err(e.into()),
    };
    print_pushed(&outcome, &target, args, ui).context("writing the summary")?;
    Ok(Outcome::Done)
}

fn print_pushed(
    outcome: &PushOutcome,
    target: &Target,
    args: &PushArgs,
    ui: &Ui,
) -> std::io::Result<()> {
    let mut printer = Printer::default();
    for w in &outcome.warnings {
        printer.human(w);
    }
    let plan = &outcome.pushed.plan;
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        writeln!(
            out,
            "dry run: {} (project {}): nothing was changed; a push would:",
            target.url, plan.project
        )?;
        print_plan(&mut out, plan)?;
        if !ui.quiet {
            writeln!(out, "{}", summary(plan))?;
        }
        return Ok(());
    }
    if ui.quiet {
        return Ok(());
    }
    writeln!(
        out,
        "pushed to {} (project {}): {}",
        target.url,
        plan.project,
        summary(plan)
    )?;
    let t = outcome.pushed.traffic;
    writeln!(
        out,
        "   sent {} request{} ({} action{}, {} of them changes)",
        t.requests,
        plural(t.requests),
        t.actions,
        plural(t.actions),
        t.writes
    )?;
    if !plan.delete && !plan.removed.is_empty() {
        let n = plan.removed.len();
        writeln!(
            out,
            "   kept {n} note{} no longer in the documents (`--delete` deletes them; \
             `--dry-run --delete` lists them)",
            plural(n)
        )?;
    }
    Ok(())
}

/// `3 added, 1 updated (1 moved), 0 deleted, 40 unchanged, 2 media`.
fn summary(plan: &Plan) -> String {
    let deleted = if plan.delete { plan.removed.len() } else { 0 };
    format!(
        "{} added, {} updated ({} moved), {} deleted, {} unchanged, {} media file{} uploaded",
        plan.added(),
        plan.updated(),
        plan.moved(),
        deleted,
        plan.unchanged,
        plan.media.len(),
        plural(plan.media.len())
    )
}

/// One line per thing a push would do.
fn print_plan(out: &mut impl Write, plan: &Plan) -> std::io::Result<()> {
    for nt in &plan.note_types {
        if nt.create {
            writeln!(out, "  create note type {}", nt.name)?;
        } else {
            let mut what: Vec<String> = nt.templates.iter().map(|t| format!("`{t}`")).collect();
            if nt.css {
                what.push("styling".to_owned());
            }
            writeln!(out, "  update note type {}: {}", nt.name, what.join(", "))?;
        }
    }
    for d in &plan.decks {
        writeln!(out, "  create deck {d}")?;
    }
    for m in &plan.media {
        writeln!(out, "  upload {m}")?;
    }
    for n in &plan.notes {
        if n.is_add() {
            writeln!(out, "  add    {} ({}) to {}", n.location, n.guid, n.deck)?;
            continue;
        }
        let mut what = Vec::new();
        if n.fields {
            what.push("fields".to_owned());
        }
        if let Some(from) = &n.moved_from {
            if from.is_empty() {
                what.push(format!("cards to {}", n.deck));
            } else {
                what.push(format!("cards {from} → {}", n.deck));
            }
        }
        let tags: Vec<String> = n
            .tags_added
            .iter()
            .map(|t| format!("+{t}"))
            .chain(n.tags_removed.iter().map(|t| format!("-{t}")))
            .collect();
        if !tags.is_empty() {
            what.push(format!("tags {}", tags.join(" ")));
        }
        if let Some(from) = &n.adopted_from {
            what.push(format!("taken over from project {from}"));
        }
        if what.is_empty() {
            what.push("state".to_owned());
        }
        let verb = if n.moved_from.is_some() && !n.fields {
            "move  "
        } else {
            "update"
        };
        writeln!(
            out,
            "  {verb} {} ({}): {}",
            n.location,
            n.guid,
            what.join(", ")
        )?;
    }
    for r in &plan.removed {
        if plan.delete {
            writeln!(out, "  delete note {} ({}): {}", r.note_id, r.guid, r.text)?;
        } else {
            writeln!(
                out,
                "  keep   note {} ({}): {} (no longer in the documents; --delete deletes it)",
                r.note_id, r.guid, r.text
            )?;
        }
    }
    Ok(())
}
