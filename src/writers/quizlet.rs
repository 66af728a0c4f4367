//! The `quizlet` writer (placeholder until implemented).

use super::{Output, WriteContext, WriteReport, Writer};
use crate::error::{Error, Result};
use crate::model::Package;

/// Writes the `quizlet` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuizletWriter;

impl Writer for QuizletWriter {
    fn name(&self) -> &'static str {
        "quizlet"
    }

    fn file_suffix(&self) -> &'static str {
        ".quizlet.txt"
    }

    fn write(
        &self,
        _package: &Package,
        _ctx: &WriteContext,
        _out: &mut dyn Output,
    ) -> Result<WriteReport> {
        Err(Error::Write {
            format: "quizlet",
            message: "not implemented yet".into(),
        })
    }
}
