//! File sources and the generic tables they load: `[tables.NAME]` with a
//! typed schema, and `[[pipelines.P.sources]]` naming files (a local glob or
//! an S3 prefix), their format, and how their rows reach the table.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use super::database_source::{ChangeDetection, Deletes};
use super::tables::{SchemaFile, check_columns};
use super::transforms::TransformStep;
use super::{ConfigError, LoadedConfig, TableSchema, WriteDisposition, is_identifier};

/// A file format a source reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// Delimited text.
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet.
    Parquet,
    /// An Excel workbook.
    Xlsx,
}

impl FileFormat {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
            FileFormat::Ndjson => "ndjson",
            FileFormat::Parquet => "parquet",
            FileFormat::Xlsx => "xlsx",
        }
    }

    /// The format a file name's extension says, a compression extension
    /// (`.gz`, `.zst`) looked through.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        let name = name
            .strip_suffix(".gz")
            .or_else(|| name.strip_suffix(".zst"))
            .unwrap_or(&name);
        let ext = name.rsplit_once('.')?.1;
        Some(match ext {
            "csv" | "tsv" | "txt" => FileFormat::Csv,
            "json" => FileFormat::Json,
            "ndjson" | "jsonl" => FileFormat::Ndjson,
            "parquet" | "pq" => FileFormat::Parquet,
            "xlsx" | "xlsm" => FileFormat::Xlsx,
            _ => return None,
        })
    }
}

/// How a source's files are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip.
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// The compression a file name's extension says (none without one).
    pub fn from_name(name: &str) -> Self {
        let name = name.to_ascii_lowercase();
        if name.ends_with(".gz") {
            Compression::Gzip
        } else if name.ends_with(".zst") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Encoding {
    /// UTF-8; an invalid byte sequence is a bad row.
    #[default]
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// ISO-8859-1: every byte is a character.
    #[serde(rename = "latin-1", alias = "latin1", alias = "iso-8859-1")]
    Latin1,
}

/// What a bad row (ragged, undecodable, or a value that does not fit its
/// column) does to its file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnBadRow {
    /// The row goes to the quarantine with its file, place and reason; the
    /// good rows around it load.
    #[default]
    Quarantine,
    /// The whole file is refused: nothing of it loads.
    Refuse,
}

/// `[[pipelines.P.sources]]`: files, or a database's table or query,
/// loaded into a generic table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Key of `[tables]` the rows go to.
    pub table: String,
    /// Files: a local path or glob (`data/*.csv`, relative to the config file), or
    /// `s3://bucket/prefix/**/*.parquet`. `*`, `?` and `[a-z]` match within
    /// a folder, `**` any depth of folders; a folder (or a prefix ending in `/`) is every
    /// file in it. Empty for a database source.
    #[serde(default)]
    pub path: String,
    /// A database source: its URL (`postgres://`, `mysql://`, `sqlite://`),
    /// `${NAME}` standing for the environment variable `NAME`.
    pub database: Option<String>,
    /// A database source's table (`name` or `schema.name`).
    pub from_table: Option<String>,
    /// A database source's query, instead of `from_table`.
    pub query: Option<String>,
    /// A database source's cursor column: each run loads the rows whose
    /// cursor is past the last one loaded.
    pub cursor: Option<String>,
    /// How a database source finds what changed: by `cursor`, or by
    /// comparing a full `snapshot` with the last one.
    pub change_detection: Option<ChangeDetection>,
    /// A snapshot source: what becomes of a destination row whose key left
    /// the source.
    pub deletes: Option<Deletes>,
    /// The S3 endpoint (a local S3-compatible server); the environment's
    /// `AWS_ENDPOINT_URL` otherwise.
    pub endpoint: Option<String>,
    /// The format; by the file's extension when absent.
    pub format: Option<FileFormat>,
    /// The compression; by the file's extension (`.gz`, `.zst`) when absent.
    pub compression: Option<Compression>,
    /// CSV: the field delimiter (one ASCII character, `,` by default).
    pub delimiter: Option<char>,
    /// CSV: the quote character (`"` by default).
    pub quote: Option<char>,
    /// CSV and xlsx: whether the first row names the columns; without one,
    /// the fields are the table's columns in order.
    #[serde(default = "super::tables::yes")]
    pub header: bool,
    /// CSV: `utf-8` (default) or `latin-1`.
    #[serde(default)]
    pub encoding: Encoding,
    /// xlsx: the sheet (the first when absent).
    pub sheet: Option<String>,
    /// xlsx: the cells read, like `A1:F200` (the whole sheet when absent).
    pub range: Option<String>,
    /// How rows reach the table: `merge` (upsert on the primary key),
    /// `append`, or `replace` (atomic: readers see the old rows until the
    /// new ones are complete).
    #[serde(default)]
    pub write: WriteDisposition,
    /// `quarantine` (default) or `refuse`.
    #[serde(default)]
    pub on_bad_row: OnBadRow,
    /// Rows per batch read and written (8,192 by default): memory is
    /// bounded by it, not by the file's size.
    pub batch_rows: Option<usize>,
    /// Steps applied, in order, to each row between reading and loading.
    #[serde(default)]
    pub transforms: Vec<TransformStep>,
}

impl SourceConfig {
    /// Identifies the source within its pipeline: the key of its loaded
    /// files in `sluice_source_files`, or of a database source's checkpoint.
    pub fn key(&self) -> String {
        match &self.database {
            Some(url) => format!(
                "{} <- {}",
                self.table,
                super::database_source::label(self, url)
            ),
            None => format!("{} <- {}", self.table, self.path),
        }
    }
}

/// An xlsx cell range, zero-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRange {
    /// First row and column.
    pub start: (u32, u32),
    /// Last row and column.
    pub end: (u32, u32),
}

impl CellRange {
    /// Parses `A1:F200`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (a, b) = text
            .split_once(':')
            .ok_or_else(|| format!("expected a range like `A1:F200`, got `{text}`"))?;
        let start = cell_ref(a)?;
        let end = cell_ref(b)?;
        if end.0 < start.0 || end.1 < start.1 {
            return Err(format!("`{text}` ends before it starts"));
        }
        Ok(CellRange { start, end })
    }

    /// Whether the cell at zero-based `(row, column)` lies within.
    pub fn contains(&self, (row, col): (u32, u32)) -> bool {
        (self.start.0..=self.end.0).contains(&row) && (self.start.1..=self.end.1).contains(&col)
    }
}

/// `B12` as zero-based (row, column).
fn cell_ref(text: &str) -> Result<(u32, u32), String> {
    let text = text.trim().to_ascii_uppercase();
    let split = text
        .find(|c: char| c.is_ascii_digit())
        .ok_or_else(|| format!("`{text}` is not a cell such as `A1`"))?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(format!("`{text}` is not a cell such as `A1`"));
    }
    let row: u32 = digits
        .parse()
        .ok()
        .filter(|r| *r > 0)
        .ok_or_else(|| format!("`{text}` is not a cell such as `A1`"))?;
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col
            .checked_mul(26)
            .and_then(|n| n.checked_add(u32::from(c as u8 - b'A') + 1))
            .ok_or_else(|| format!("`{text}`: column out of range"))?;
    }
    Ok((row - 1, col - 1))
}

impl LoadedConfig {
    /// A path of the config, resolved against the config file's folder.
    pub fn relative_path(&self, path: &std::path::Path) -> PathBuf {
        if path.is_absolute() {
            return path.to_path_buf();
        }
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The columns of `[tables.NAME]`, read from its schema file when it
    /// names one.
    pub fn table_schema(&self, name: &str) -> Result<TableSchema, ConfigError> {
        let key = format!("tables.{name}");
        let table = self
            .config
            .tables
            .get(name)
            .ok_or_else(|| self.invalid(key.clone(), "no such table".to_string()))?;
        let Some(file) = &table.schema else {
            return Ok(TableSchema {
                columns: table.columns.clone(),
            });
        };
        let path = self.relative_path(file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            self.invalid(
                format!("{key}.schema"),
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        let parsed: SchemaFile = toml::from_str(&text).map_err(|e| {
            self.invalid(
                format!("{key}.schema"),
                format!("{}: {}", path.display(), e.message().trim()),
            )
        })?;
        let schema = match parsed {
            SchemaFile::Bare(schema) => schema,
            SchemaFile::Wrapped { mut tables } => match tables.len() {
                1 => tables.pop_first().map(|(_, s)| s).unwrap_or_default(),
                n => {
                    return Err(self.invalid(
                        format!("{key}.schema"),
                        format!("{} declares {n} tables; expected one", path.display()),
                    ));
                }
            },
        };
        check_columns(&schema.columns).map_err(|m| self.invalid(format!("{key}.schema"), m))?;
        Ok(schema)
    }

    /// Checks `[tables]` and every pipeline's `sources`.
    pub(super) fn validate_files(&self) -> Result<(), ConfigError> {
        for (name, table) in &self.config.tables {
            let key = format!("tables.{name}");
            if !is_identifier(name) {
                return Err(self.invalid(key, "expected a SQL identifier".to_string()));
            }
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("sluice_") || HOST_TABLES.contains(&lower.as_str()) {
                return Err(self.invalid(
                    key,
                    format!(
                        "`{name}` is one of the host's own tables: give the file table another name"
                    ),
                ));
            }
            match (&table.schema, table.columns.is_empty()) {
                (Some(_), false) => {
                    return Err(
                        self.invalid(key, "give `columns` or `schema`, not both".to_string())
                    );
                }
                (None, true) => {
                    return Err(self.invalid(
                        format!("{key}.columns"),
                        "a table needs at least one column (or `schema = \"file.toml\"`)"
                            .to_string(),
                    ));
                }
                (None, false) => check_columns(&table.columns)
                    .map_err(|m| self.invalid(format!("{key}.columns"), m))?,
                (Some(_), true) => {}
            }
        }
        for (pipeline, config) in &self.config.pipelines {
            for (i, source) in config.sources.iter().enumerate() {
                self.validate_source(&format!("pipelines.{pipeline}.sources[{i}]"), source)?;
            }
        }
        Ok(())
    }

    fn validate_source(&self, at: &str, source: &SourceConfig) -> Result<(), ConfigError> {
        let Some(table) = self.config.tables.get(&source.table) else {
            return Err(self.invalid(
                format!("{at}.table"),
                format!(
                    "unknown table `{}` (declared in [tables]: {})",
                    source.table,
                    super::list(self.config.tables.keys())
                ),
            ));
        };
        if source.database.is_some() {
            return self.validate_database_source(at, source, table);
        }
        self.refuse_database_keys(at, source)?;
        if source.format.is_none() && FileFormat::from_name(&source.path).is_none() {
            return Err(self.invalid(
                format!("{at}.format"),
                format!(
                    "`{}` has no known extension: set format = csv, json, ndjson, parquet or xlsx",
                    source.path
                ),
            ));
        }
        let format = source
            .format
            .or_else(|| FileFormat::from_name(&source.path));
        for (key, set) in [
            ("delimiter", source.delimiter.is_some()),
            ("quote", source.quote.is_some()),
            ("encoding", source.encoding != Encoding::Utf8),
        ] {
            if set && format != Some(FileFormat::Csv) {
                return Err(self.invalid(format!("{at}.{key}"), "applies to csv only".to_string()));
            }
        }
        for (key, set) in [
            ("sheet", source.sheet.is_some()),
            ("range", source.range.is_some()),
        ] {
            if set && format != Some(FileFormat::Xlsx) {
                return Err(self.invalid(format!("{at}.{key}"), "applies to xlsx only".to_string()));
            }
        }
        for (key, c) in [("delimiter", source.delimiter), ("quote", source.quote)] {
            if c.is_some_and(|c| !c.is_ascii()) {
                return Err(self.invalid(
                    format!("{at}.{key}"),
                    "expected one ASCII character".to_string(),
                ));
            }
        }
        if let Some(range) = &source.range {
            CellRange::parse(range).map_err(|m| self.invalid(format!("{at}.range"), m))?;
        }
        if source.batch_rows == Some(0) {
            return Err(self.invalid(format!("{at}.batch_rows"), "must be at least 1".to_string()));
        }
        self.validate_transforms(at, &source.transforms)?;
        // A table declared through a schema file is checked when it is read.
        if table.schema.is_none()
            && source.write == WriteDisposition::Merge
            && !table.columns.iter().any(|c| c.primary_key)
        {
            return Err(self.invalid(
                format!("{at}.write"),
                format!(
                    "merge upserts on the primary key, and table `{}` has none: mark its key columns `primary_key = true`, or use write = \"append\"",
                    source.table
                ),
            ));
        }
        Ok(())
    }
}

/// The host's own tables besides `sluice_*`: a generic table may not take
/// their names.
const HOST_TABLES: &[&str] = &[
    "competitions",
    "teams",
    "events",
    "odds",
    "odds_history",
    "competitions_log",
    "teams_log",
    "events_log",
    "odds_log",
    "provider_ids",
    "resolution_priority",
    "standings",
    "participants",
    "incidents",
    "fair_prices",
    "market_consensus",
    "standings_log",
    "participants_log",
    "incidents_log",
    "fair_prices_log",
    "market_consensus_log",
    "live_matches",
    "live_events",
    "live_odds_suspensions",
    "live_sink_cursors",
    "quality_reports",
    "quality_checks",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_zero_based_and_inclusive() {
        let range = CellRange::parse("B2:AA10").expect("valid");
        assert_eq!(range.start, (1, 1));
        assert_eq!(range.end, (9, 26));
        assert!(range.contains((1, 1)) && !range.contains((0, 1)));
        assert!(CellRange::parse("F1:A1").is_err());
        assert!(CellRange::parse("A0:B2").is_err());
    }

    /// A table a migration creates is named in [`HOST_TABLES`] (or is a
    /// `sluice_` one), so no file table can take its name.
    #[test]
    fn every_host_table_is_reserved() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        for entry in std::fs::read_dir(&dir).expect("migrations") {
            let sql = std::fs::read_to_string(entry.expect("entry").path()).expect("sql");
            for part in sql.split("CREATE TABLE ").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    name.starts_with("sluice_") || HOST_TABLES.contains(&name.as_str()),
                    "{name} is not in HOST_TABLES"
                );
            }
        }
    }

    fn problem(text: &str) -> String {
        match LoadedConfig::parse(std::path::Path::new("sluice.toml"), text) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn tables_and_sources_are_checked_naming_the_key() {
        let columns = "columns = [{ name = \"id\", type = \"int\", primary_key = true }]";
        assert!(
            problem(&format!("[tables.odds]\n{columns}"))
                .contains("tables.odds: `odds` is one of the host's own tables")
        );
        assert!(
            problem("[tables.t]\ncolumns = [{ name = \"id\", type = \"integer\" }]")
                .contains("unknown variant `integer`")
        );
        let source = |extra: &str| {
            format!(
                "[tables.t]\n{columns}\n[[pipelines.p.sources]]\ntable = \"t\"\npath = \"in/*.csv\"\n{extra}"
            )
        };
        assert_eq!(problem(&source("")), "");
        assert!(
            problem(&source("sheet = \"A\""))
                .contains("pipelines.p.sources[0].sheet: applies to xlsx only")
        );
        assert!(problem(&source("on_bad_row = \"skip\"")).contains("unknown variant `skip`"));
        assert!(problem(&source("range = \"A1:B2\"\nformat = \"xlsx\"")).is_empty());
        assert!(problem("[tables.t]\ncolumns = [{ name = \"id\", type = \"int\" }]\n[[pipelines.p.sources]]\ntable = \"t\"\npath = \"a.csv\"").contains("merge upserts on the primary key"));
        assert!(
            problem("[[pipelines.p.sources]]\ntable = \"nope\"\npath = \"a.csv\"")
                .contains("unknown table `nope`")
        );
    }

    #[test]
    fn transforms_are_checked_naming_the_step() {
        let source = |transforms: &str| {
            format!(
                "[tables.t]\ncolumns = [{{ name = \"id\", type = \"int\" }}]\n[[pipelines.p.sources]]\ntable = \"t\"\npath = \"a.csv\"\nwrite = \"append\"\ntransforms = [{transforms}]"
            )
        };
        assert_eq!(problem(&source("{ filter = \"id > 1\" }")), "");
        let bad = problem(&source(
            "{ cast = { id = \"int\" } }, { filter = \"id >\" }",
        ));
        assert!(
            bad.contains("pipelines.p.sources[0].transforms[1].filter: the expression `id >` does not compile: ")
                && bad.contains("(line 1, column "),
            "{bad}"
        );
        let twice = "{ dedup = { key = [\"id\"], keep = \"last\" } }";
        assert!(
            problem(&source(&format!("{twice}, {twice}")))
                .contains("transforms[1].dedup.keep: one dedup of a source may keep the last row")
        );
        assert!(
            problem(&source("{ dedup = { key = [] } }"))
                .contains("transforms[0].dedup: names no column")
        );
    }

    #[test]
    fn formats_are_known_by_extension_through_compression() {
        assert_eq!(FileFormat::from_name("a/b.csv.gz"), Some(FileFormat::Csv));
        assert_eq!(
            FileFormat::from_name("x.PARQUET"),
            Some(FileFormat::Parquet)
        );
        assert_eq!(
            FileFormat::from_name("x.jsonl.zst"),
            Some(FileFormat::Ndjson)
        );
        assert_eq!(Compression::from_name("x.jsonl.zst"), Compression::Zstd);
        assert_eq!(FileFormat::from_name("x"), None);
    }
}
