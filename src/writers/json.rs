//! The `json` writer (placeholder until implemented).

use super::{Output, WriteContext, WriteReport, Writer};
use crate::error::{Error, Result};
use crate::model::Package;

/// Writes the `json` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonWriter;

impl Writer for JsonWriter {
    fn name(&self) -> &'static str {
        "json"
    }

    fn file_suffix(&self) -> &'static str {
        ".json"
    }

    fn write(
        &self,
        _package: &Package,
        _ctx: &WriteContext,
        _out: &mut dyn Output,
    ) -> Result<WriteReport> {
        Err(Error::Write {
            format: "json",
            message: "not implemented yet".into(),
        })
    }
}
