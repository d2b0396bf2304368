//! Exports: the formats `sluice export` writes, sizes such as `128MiB`, and
//! `[[pipelines.NAME.exports]]`, a table written out after each successful
//! run of its pipeline.

use serde::Deserialize;
use std::path::PathBuf;

use super::{LoadedConfig, is_identifier};

/// Partitions one export may write when the config or command line does not
/// say: past it the export is refused before anything is written.
pub const DEFAULT_MAX_PARTITIONS: u32 = 1000;

/// A Parquet file is closed and the next one started past this size.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 128 * 1024 * 1024;

/// Rows an HTML or Markdown report shows when not told.
pub const DEFAULT_REPORT_ROWS: u32 = 100;

/// The formats an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ExportFormat {
    /// RFC 4180 CSV with a header row.
    #[serde(rename = "csv")]
    Csv,
    /// The same CSV, gzip-compressed.
    #[serde(rename = "csv.gz")]
    CsvGz,
    /// Apache Parquet, zstd-compressed, optionally partitioned Hive-style.
    #[serde(rename = "parquet")]
    Parquet,
    /// One JSON array of objects.
    #[serde(rename = "json")]
    Json,
    /// One JSON object per line.
    #[serde(rename = "ndjson")]
    Ndjson,
    /// An Excel workbook: a bold header row and typed cells.
    #[serde(rename = "xlsx")]
    Xlsx,
    /// A readable HTML report: the first rows and the quality report.
    #[serde(rename = "html")]
    Html,
    /// The same report in Markdown.
    #[serde(rename = "md")]
    Markdown,
}

impl ExportFormat {
    /// Every format, in the order the help lists them.
    pub const ALL: [ExportFormat; 8] = [
        ExportFormat::Csv,
        ExportFormat::CsvGz,
        ExportFormat::Parquet,
        ExportFormat::Json,
        ExportFormat::Ndjson,
        ExportFormat::Xlsx,
        ExportFormat::Html,
        ExportFormat::Markdown,
    ];

    /// The name used on the command line and in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::CsvGz => "csv.gz",
            ExportFormat::Parquet => "parquet",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Html => "html",
            ExportFormat::Markdown => "md",
        }
    }

    /// Whether the format is a report of the first rows rather than all of
    /// them.
    pub fn is_report(self) -> bool {
        matches!(self, ExportFormat::Html | ExportFormat::Markdown)
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown format `{s}` (formats: {})", names.join(", "))
            })
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A size in bytes, written as a number of bytes or with a unit (`512KiB`,
/// `128MiB`, `1GiB`, `10MB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl std::str::FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number
            .parse()
            .map_err(|_| format!("expected a size such as `128MiB`, got `{s}`"))?;
        let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "kb" => 1000,
            "kib" | "k" => 1024,
            "mb" => 1000 * 1000,
            "mib" | "m" => 1024 * 1024,
            "gb" => 1000 * 1000 * 1000,
            "gib" | "g" => 1024 * 1024 * 1024,
            _ => {
                return Err(format!(
                    "unknown unit in `{s}` (units: B, KB, KiB, MB, MiB, GB, GiB)"
                ));
            }
        };
        number
            .checked_mul(factor)
            .filter(|n| *n > 0)
            .map(ByteSize)
            .ok_or_else(|| format!("`{s}` is not a size above 0"))
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Bytes(u64),
            Text(String),
        }
        match Written::deserialize(deserializer)? {
            Written::Bytes(0) => Err(serde::de::Error::custom("a size must be above 0")),
            Written::Bytes(n) => Ok(ByteSize(n)),
            Written::Text(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// `[[pipelines.NAME.exports]]`: after a successful run, `table` is written
/// to `out` in `format`, whole or (`changed_only`) only the rows the run
/// inserted or changed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportStepConfig {
    /// The table (or view) exported.
    pub table: String,
    /// The file format.
    pub format: ExportFormat,
    /// A path (relative to the config file's folder) or `s3://bucket/prefix`.
    pub out: String,
    /// Columns whose values name the Hive-style partition folders (Parquet).
    #[serde(default)]
    pub partition_by: Vec<String>,
    /// Only the rows whose `run_id` is the run's: those it inserted or
    /// changed. A table without a `run_id` column is exported whole.
    #[serde(default)]
    pub changed_only: bool,
    /// Partitions past which the export is refused (Parquet).
    pub max_partitions: Option<u32>,
    /// Size past which a Parquet file is closed and the next begun.
    pub max_file_size: Option<ByteSize>,
    /// Rows an HTML or Markdown report shows.
    pub rows: Option<u32>,
}

impl ExportStepConfig {
    /// The partition limit, its default when not set.
    pub fn max_partitions(&self) -> u32 {
        self.max_partitions.unwrap_or(DEFAULT_MAX_PARTITIONS)
    }

    /// The file size limit, its default when not set.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.map_or(DEFAULT_MAX_FILE_SIZE, |s| s.0)
    }

    /// The report's rows, their default when not set.
    pub fn rows(&self) -> u32 {
        self.rows.unwrap_or(DEFAULT_REPORT_ROWS)
    }
}

/// The first thing wrong with how an export's options fit together, as
/// (the option's name, the message): shared by the config's check and
/// `sluice export`'s, so both say the same.
pub fn options_problem(
    format: ExportFormat,
    partition_by: &[String],
    max_partitions: Option<u32>,
    max_file_size: Option<ByteSize>,
    rows: Option<u32>,
) -> Option<(&'static str, String)> {
    let parquet_only = || format!("applies to the parquet format only, not {format}");
    if !partition_by.is_empty() && format != ExportFormat::Parquet {
        return Some(("partition_by", parquet_only()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for column in partition_by {
        if !is_identifier(column) {
            return Some(("partition_by", format!("`{column}` is not a column name")));
        }
        if !seen.insert(column) {
            return Some(("partition_by", format!("`{column}` is listed twice")));
        }
    }
    if let Some(limit) = max_partitions {
        if format != ExportFormat::Parquet {
            return Some(("max_partitions", parquet_only()));
        }
        if limit == 0 {
            return Some(("max_partitions", "must be at least 1".to_string()));
        }
    }
    if max_file_size.is_some() && format != ExportFormat::Parquet {
        return Some(("max_file_size", parquet_only()));
    }
    if let Some(rows) = rows {
        if !format.is_report() {
            return Some((
                "rows",
                format!("applies to the html and md reports only, not {format}"),
            ));
        }
        if rows == 0 {
            return Some(("rows", "must be at least 1".to_string()));
        }
    }
    None
}

/// Whether `out` names an S3 location, and if so whether it names a bucket.
fn out_problem(out: &str) -> Option<String> {
    if out.trim().is_empty() {
        return Some("must not be empty".to_string());
    }
    if let Some(rest) = out.strip_prefix("s3://") {
        let bucket = rest.split('/').next().unwrap_or_default();
        if bucket.is_empty() {
            return Some(format!("`{out}` names no bucket (s3://BUCKET/PREFIX)"));
        }
    } else if out.contains("://") {
        return Some(format!(
            "`{out}`: expected a local path or s3://BUCKET/PREFIX"
        ));
    }
    None
}

impl LoadedConfig {
    /// Checks the exports of pipeline `name`, naming the key that is wrong.
    pub(super) fn validate_exports(
        &self,
        name: &str,
        exports: &[ExportStepConfig],
    ) -> Result<(), super::ConfigError> {
        for (i, export) in exports.iter().enumerate() {
            let at = |key: &str| format!("pipelines.{name}.exports[{i}].{key}");
            if !is_identifier(&export.table) {
                return Err(self.invalid(
                    at("table"),
                    format!("`{}` is not a table name", export.table),
                ));
            }
            if let Some(message) = out_problem(&export.out) {
                return Err(self.invalid(at("out"), message));
            }
            if let Some((key, message)) = options_problem(
                export.format,
                &export.partition_by,
                export.max_partitions,
                export.max_file_size,
                export.rows,
            ) {
                return Err(self.invalid(at(key), message));
            }
        }
        Ok(())
    }

    /// An export's `out`: an S3 URL as written, a relative path resolved
    /// against the config file's folder.
    pub fn export_out(&self, out: &str) -> String {
        if out.starts_with("s3://") {
            return out.to_string();
        }
        let path = PathBuf::from(out);
        if path.is_absolute() {
            return out.to_string();
        }
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => {
                parent.join(path).to_string_lossy().into_owned()
            }
            _ => out.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const PIPELINE: &str = "[providers.p]\nplugin = \"x\"\nbase_url = \"http://localhost\"\n\
        [[pipelines.daily.streams]]\nprovider = \"p\"\nstream = \"s\"\n";

    fn parse(exports: &str) -> Result<LoadedConfig, String> {
        LoadedConfig::parse(
            Path::new("conf/sluice.toml"),
            &format!("{PIPELINE}\n[[pipelines.daily.exports]]\n{exports}\n"),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn an_export_step_reads_with_its_defaults() {
        let loaded = parse(
            "table = \"events\"\nformat = \"parquet\"\nout = \"exports/events\"\n\
             partition_by = [\"season\"]\nchanged_only = true\nmax_file_size = \"64MiB\"",
        )
        .expect("valid");
        let export = &loaded.config.pipelines["daily"].exports[0];
        assert_eq!(export.format, ExportFormat::Parquet);
        assert_eq!(export.partition_by, ["season"]);
        assert!(export.changed_only);
        assert_eq!(export.max_partitions(), DEFAULT_MAX_PARTITIONS);
        assert_eq!(export.max_file_size(), 64 * 1024 * 1024);
        assert_eq!(loaded.export_out(&export.out), "conf/exports/events");
        assert_eq!(loaded.export_out("s3://b/p"), "s3://b/p");
    }

    #[test]
    fn a_wrong_key_is_named() {
        for (export, key) in [
            (
                "table = \"a b\"\nformat = \"csv\"\nout = \"x.csv\"",
                "pipelines.daily.exports[0].table",
            ),
            (
                "table = \"t\"\nformat = \"xls\"\nout = \"x\"",
                "unknown variant `xls`",
            ),
            (
                "table = \"t\"\nformat = \"csv\"\nout = \"x\"\npartition_by = [\"a\"]",
                "pipelines.daily.exports[0].partition_by: applies to the parquet format only",
            ),
            (
                "table = \"t\"\nformat = \"parquet\"\nout = \"x\"\nmax_partitions = 0",
                "pipelines.daily.exports[0].max_partitions",
            ),
            (
                "table = \"t\"\nformat = \"parquet\"\nout = \"s3:///x\"",
                "pipelines.daily.exports[0].out",
            ),
            (
                "table = \"t\"\nformat = \"csv\"\nout = \"x\"\nrows = 5",
                "pipelines.daily.exports[0].rows",
            ),
            (
                "table = \"t\"\nformat = \"parquet\"\nout = \"x\"\nmax_file_size = \"12 parsecs\"",
                "unknown unit",
            ),
            (
                "table = \"t\"\nformat = \"csv\"\nout = \"x\"\nchanged = true",
                "changed",
            ),
        ] {
            let error = parse(export).expect_err(export);
            assert!(error.contains(key), "{export}: {error}");
        }
    }

    #[test]
    fn sizes_read_with_their_units() {
        assert_eq!("128MiB".parse(), Ok(ByteSize(128 * 1024 * 1024)));
        assert_eq!("10 MB".parse(), Ok(ByteSize(10_000_000)));
        assert_eq!("4096".parse(), Ok(ByteSize(4096)));
        assert!("0".parse::<ByteSize>().is_err());
        assert!("MiB".parse::<ByteSize>().is_err());
    }
}
