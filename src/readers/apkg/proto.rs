//! The protobuf messages of Anki packages that a reader needs, declared here with only the
//! fields it reads (protobuf skips the others). Field numbers and types are facts from Anki's
//! `proto/anki/import_export.proto` (`PackageMetadata`, `MediaEntries`) and
//! `proto/anki/notetypes.proto` (`Notetype.Config`, `Notetype.Field.Config`,
//! `Notetype.Template.Config`); the declarations are our own.

/// The `meta` member of a package: which layout it has.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct PackageMetadata {
    /// 1 = `collection.anki2`, 2 = `collection.anki21`, 3 = zstd `collection.anki21b`.
    #[prost(int32, tag = "1")]
    pub(super) version: i32,
}

/// The `media` member of a current package, zstd-compressed: the media files in zip order.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct MediaEntries {
    /// Entry `i` is the zip member named `i`.
    #[prost(message, repeated, tag = "1")]
    pub(super) entries: Vec<MediaEntry>,
}

/// One media file of a current package.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct MediaEntry {
    /// The file name notes reference.
    #[prost(string, tag = "1")]
    pub(super) name: String,
    /// Its size, uncompressed.
    #[prost(uint32, tag = "2")]
    pub(super) size: u32,
}

/// `notetypes.config` of a schema-18 collection.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct NotetypeConfig {
    /// 0 = standard, 1 = cloze.
    #[prost(int32, tag = "1")]
    pub(super) kind: i32,
    /// The field Anki sorts by.
    #[prost(uint32, tag = "2")]
    pub(super) sort_field_idx: u32,
    /// The CSS.
    #[prost(string, tag = "3")]
    pub(super) css: String,
}

/// `fields.config`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct FieldConfig {
    /// The field's id (Anki 2.1.67+), if it has one.
    #[prost(int64, optional, tag = "9")]
    pub(super) id: Option<i64>,
}

/// `templates.config`.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct TemplateConfig {
    /// The question side.
    #[prost(string, tag = "1")]
    pub(super) q_format: String,
    /// The answer side.
    #[prost(string, tag = "2")]
    pub(super) a_format: String,
    /// The template's id (Anki 2.1.67+), if it has one.
    #[prost(int64, optional, tag = "8")]
    pub(super) id: Option<i64>,
}
