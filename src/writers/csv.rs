//! The `csv` writer (placeholder until implemented).

use super::{Output, WriteContext, WriteReport, Writer};
use crate::error::{Error, Result};
use crate::model::Package;

/// Writes the `csv` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvWriter;

impl Writer for CsvWriter {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn file_suffix(&self) -> &'static str {
        ".csv"
    }

    fn write(
        &self,
        _package: &Package,
        _ctx: &WriteContext,
        _out: &mut dyn Output,
    ) -> Result<WriteReport> {
        Err(Error::Write {
            format: "csv",
            message: "not implemented yet".into(),
        })
    }
}
