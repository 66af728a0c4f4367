//! The `apkg` writer (placeholder until implemented).

use super::{Output, WriteContext, WriteReport, Writer};
use crate::error::{Error, Result};
use crate::model::Package;

/// Writes the `apkg` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApkgWriter;

impl Writer for ApkgWriter {
    fn name(&self) -> &'static str {
        "apkg"
    }

    fn file_suffix(&self) -> &'static str {
        ".apkg"
    }

    fn write(
        &self,
        _package: &Package,
        _ctx: &WriteContext,
        _out: &mut dyn Output,
    ) -> Result<WriteReport> {
        Err(Error::Write {
            format: "apkg",
            message: "not implemented yet".into(),
        })
    }
}
