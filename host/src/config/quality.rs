//! `[quality]`: the checks declared per table, the grade bands, and how a
//! check's threshold and severity are written. Checked at load time: every
//! error names the key (`quality.checks[2].max_failing`).

use serde::Deserialize;
use std::collections::BTreeMap;

use super::HumanDuration;

/// `[quality]`: checks per table and the bands grades are read from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityConfig {
    /// The lowest score of each grade (`A`, `B`, `C`, `D`; below `D` is
    /// `F`); the defaults are 0.90, 0.80, 0.70 and 0.60.
    #[serde(default)]
    pub bands: BTreeMap<String, f64>,
    /// The checks, in the order they are reported.
    #[serde(default)]
    pub checks: Vec<CheckConfig>,
}

/// One `[[quality.checks]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// The table checked: a canonical table or any other of the database.
    pub table: String,
    /// The check's name: unique per table, and the reason quarantined rows
    /// carry.
    pub name: String,
    /// What is checked.
    pub check: CheckKind,
    /// The column checked (every kind but `volume`, `sql` and `unique`).
    pub column: Option<String>,
    /// The columns whose values together must be unique (`unique`).
    #[serde(default)]
    pub columns: Vec<String>,
    /// What the check measures; by default the kind's own dimension.
    pub dimension: Option<Dimension>,
    /// How many rows may fail: a count (`10`) or a share of the rows
    /// (`"2%"`); none by default.
    pub max_failing: Option<Threshold>,
    /// What a failure does; `warn` by default.
    #[serde(default)]
    pub severity: Severity,
    /// Smallest value allowed (`range`).
    pub min: Option<f64>,
    /// Largest value allowed (`range`).
    pub max: Option<f64>,
    /// The values allowed (`allowed`).
    #[serde(default)]
    pub values: Vec<String>,
    /// The pattern every value must match (`regex`).
    pub pattern: Option<String>,
    /// The table and column a value must exist in (`referential`), as
    /// `table.column`; matched within the same provider.
    pub references: Option<String>,
    /// Data older than this is stale (`freshness`).
    pub max_age: Option<HumanDuration>,
    /// Judge freshness by the last success of this stream
    /// (`provider/stream`, any parameters, or a whole stream key with them)
    /// instead of a column's newest value (`freshness`).
    pub stream: Option<String>,
    /// Earlier runs the row count is compared with (`volume`; default 5).
    pub runs: Option<u32>,
    /// How far from the earlier runs' mean the row count may be, as a
    /// share (`volume`; default `"50%"`).
    pub tolerance: Option<String>,
    /// `zscore` or `iqr` (`outliers`; default `zscore`).
    pub method: Option<OutlierMethod>,
    /// The z-score (default 3) or IQR multiple (default 1.5) beyond which a
    /// value is an outlier.
    pub limit: Option<f64>,
    /// How many of the previous run's standard deviations the column's
    /// mean may move (`drift`; default 3).
    pub max_shift: Option<f64>,
    /// A boolean SQL expression over a row that must hold (`sql`).
    pub expression: Option<String>,
    /// The validator component in the plugin folder that judges the rows
    /// (`plugin`).
    pub plugin: Option<String>,
    /// Parameters handed to the validator with every batch (`plugin`).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// The kinds of check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The column has a value.
    NotNull,
    /// The columns' values do not repeat.
    Unique,
    /// The column's number lies within `min`..=`max`.
    Range,
    /// The column's value is one of `values`.
    Allowed,
    /// The column's text matches `pattern`.
    Regex,
    /// The column's value exists in another table.
    Referential,
    /// The newest value of a timestamp column is recent enough.
    Freshness,
    /// The run's row count is near the earlier runs'.
    Volume,
    /// Few values lie far from the others.
    Outliers,
    /// The column's mean stays near the previous run's.
    Drift,
    /// A custom SQL expression holds for every row.
    Sql,
    /// A validator plugin judges every row.
    Plugin,
}

impl CheckKind {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::NotNull => "not_null",
            CheckKind::Unique => "unique",
            CheckKind::Range => "range",
            CheckKind::Allowed => "allowed",
            CheckKind::Regex => "regex",
            CheckKind::Referential => "referential",
            CheckKind::Freshness => "freshness",
            CheckKind::Volume => "volume",
            CheckKind::Outliers => "outliers",
            CheckKind::Drift => "drift",
            CheckKind::Sql => "sql",
            CheckKind::Plugin => "plugin",
        }
    }

    /// Whether the check judges rows one by one in memory, before the
    /// load (so its failing rows can be quarantined); the others run in
    /// the database, one aggregate query per table.
    pub fn is_row_level(self) -> bool {
        matches!(
            self,
            CheckKind::NotNull
                | CheckKind::Unique
                | CheckKind::Range
                | CheckKind::Allowed
                | CheckKind::Regex
                | CheckKind::Outliers
                | CheckKind::Plugin
        )
    }

    /// What the check measures unless the config says otherwise.
    pub fn default_dimension(self) -> Dimension {
        match self {
            CheckKind::NotNull => Dimension::Completeness,
            CheckKind::Unique => Dimension::Uniqueness,
            CheckKind::Range
            | CheckKind::Allowed
            | CheckKind::Regex
            | CheckKind::Outliers
            | CheckKind::Sql
            | CheckKind::Plugin => Dimension::Validity,
            CheckKind::Referential | CheckKind::Drift => Dimension::Consistency,
            CheckKind::Freshness => Dimension::Freshness,
            CheckKind::Volume => Dimension::Volume,
        }
    }
}

/// What a check measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Values are present.
    Completeness,
    /// Values are well formed and plausible.
    Validity,
    /// Rows do not repeat.
    Uniqueness,
    /// Data is recent.
    Freshness,
    /// Data agrees with other data and with earlier runs.
    Consistency,
    /// As much data came as usual.
    Volume,
}

impl Dimension {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Completeness => "completeness",
            Dimension::Validity => "validity",
            Dimension::Uniqueness => "uniqueness",
            Dimension::Freshness => "freshness",
            Dimension::Consistency => "consistency",
            Dimension::Volume => "volume",
        }
    }
}

/// What a failing check does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Reported and graded; nothing else.
    #[default]
    Warn,
    /// The failing rows go to the quarantine, the rest load (row-level
    /// checks only).
    Quarantine,
    /// The batch is quarantined whole (a table-level check: the run is
    /// partial).
    FailBatch,
    /// The run fails.
    FailRun,
}

impl Severity {
    /// The name used in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Quarantine => "quarantine",
            Severity::FailBatch => "fail_batch",
            Severity::FailRun => "fail_run",
        }
    }
}

/// How to tell outliers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierMethod {
    /// Farther than `limit` standard deviations from the mean.
    Zscore,
    /// Farther than `limit` interquartile ranges outside the quartiles.
    Iqr,
}

/// How many rows may fail a check: written `10` or `"2%"`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "ThresholdText")]
pub enum Threshold {
    /// At most this many rows.
    Count(u64),
    /// At most this share of the rows (0 to 1).
    Fraction(f64),
}

impl Default for Threshold {
    fn default() -> Self {
        Threshold::Count(0)
    }
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Threshold::Count(n) => write!(f, "{n}"),
            Threshold::Fraction(x) => write!(f, "{}%", x * 100.0),
        }
    }
}

/// A threshold as written in TOML.
#[derive(Deserialize)]
#[serde(untagged)]
enum ThresholdText {
    Count(i64),
    Text(String),
}

impl TryFrom<ThresholdText> for Threshold {
    type Error = String;

    fn try_from(value: ThresholdText) -> Result<Self, String> {
        match value {
            ThresholdText::Count(n) => u64::try_from(n).map(Threshold::Count).map_err(|_| {
                format!("max_failing: expected a count of rows of 0 or more, got {n}")
            }),
            ThresholdText::Text(text) => parse_share(&text)
                .map(Threshold::Fraction)
                .map_err(|e| format!("max_failing: {e}")),
        }
    }
}

/// `"2%"` as 0.02; a share outside 0–100% is refused.
pub fn parse_share(text: &str) -> Result<f64, String> {
    let expected =
        || format!("expected a count such as 10 or a share such as \"2%\", got `{text}`");
    let number = text.trim().strip_suffix('%').ok_or_else(expected)?;
    let percent: f64 = number.trim().parse().map_err(|_| expected())?;
    if !(0.0..=100.0).contains(&percent) {
        return Err(format!("expected a share from 0% to 100%, got `{text}`"));
    }
    Ok(percent / 100.0)
}

/// The grades, best first, with their default lowest scores.
pub const DEFAULT_BANDS: [(char, f64); 4] = [('A', 0.90), ('B', 0.80), ('C', 0.70), ('D', 0.60)];

/// Whether `name` can be put in SQL as a table or column name as it is.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl QualityConfig {
    /// The first thing wrong with the section, as (key, message).
    pub fn problem(&self) -> Option<(String, String)> {
        for grade in self.bands.keys() {
            if !DEFAULT_BANDS.iter().any(|(g, _)| g.to_string() == *grade) {
                return Some((
                    format!("quality.bands.{grade}"),
                    "no such grade (grades: A, B, C, D; below D is F)".to_string(),
                ));
            }
        }
        let mut previous = f64::INFINITY;
        for (grade, lowest) in self.bands() {
            if !(lowest > 0.0 && lowest <= 1.0) || lowest >= previous {
                return Some((
                    format!("quality.bands.{grade}"),
                    format!(
                        "expected a score above 0, at most 1 and below the better grade's, got {lowest}"
                    ),
                ));
            }
            previous = lowest;
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, check) in self.checks.iter().enumerate() {
            let at = format!("quality.checks[{i}]");
            if !seen.insert((check.table.as_str(), check.name.as_str())) {
                return Some((
                    format!("{at}.name"),
                    format!("`{}` is used twice for table `{}`", check.name, check.table),
                ));
            }
            if let Some(problem) = check.problem() {
                return Some((format!("{at}.{}", problem.0), problem.1));
            }
        }
        None
    }

    /// The bands, best grade first, with the config's values over the
    /// defaults.
    pub fn bands(&self) -> Vec<(char, f64)> {
        DEFAULT_BANDS
            .iter()
            .map(|(grade, lowest)| {
                let set = self.bands.get(&grade.to_string()).copied();
                (*grade, set.unwrap_or(*lowest))
            })
            .collect()
    }
}

impl CheckConfig {
    /// What the check measures.
    pub fn dimension(&self) -> Dimension {
        self.dimension
            .unwrap_or_else(|| self.check.default_dimension())
    }

    /// The volume check's tolerance as a share (default 50%).
    pub fn tolerance_share(&self) -> f64 {
        self.tolerance
            .as_deref()
            .and_then(|t| parse_share(t).ok())
            .unwrap_or(0.5)
    }

    /// The first thing wrong with the check, as (key within the check,
    /// message).
    fn problem(&self) -> Option<(String, String)> {
        let fail = |key: &str, message: String| Some((key.to_string(), message));
        if !is_identifier(&self.table) {
            return fail(
                "table",
                format!("`{}` is not a table name (letters, digits, _)", self.table),
            );
        }
        if self.name.trim().is_empty() {
            return fail("name", "a check needs a name".to_string());
        }
        let kind = self.check;
        let by_stream = kind == CheckKind::Freshness && self.stream.is_some();
        let needs_column = !matches!(
            kind,
            CheckKind::Volume | CheckKind::Sql | CheckKind::Unique | CheckKind::Plugin
        ) && !by_stream;
        if by_stream && self.column.is_some() {
            return fail(
                "stream",
                "a `freshness` check reads a column's newest value or a stream's last success: set `column` or `stream`, not both"
                    .to_string(),
            );
        }
        if self.stream.is_some() && kind != CheckKind::Freshness {
            return fail(
                "stream",
                format!(
                    "only a `freshness` check takes `stream`; this is a `{}` check",
                    kind.as_str()
                ),
            );
        }
        match &self.column {
            None if needs_column => {
                let or_stream = if kind == CheckKind::Freshness {
                    " (or a `stream` whose last success it judges)"
                } else {
                    ""
                };
                return fail(
                    "column",
                    format!("a `{}` check needs a column{or_stream}", kind.as_str()),
                );
            }
            Some(column) if !is_identifier(column) => {
                return fail("column", format!("`{column}` is not a column name"));
            }
            _ => {}
        }
        if self.severity == Severity::Quarantine && !kind.is_row_level() {
            return fail(
                "severity",
                format!(
                    "`quarantine` needs a row-level check (not_null, unique, range, allowed, regex, outliers, plugin); `{}` runs over the table",
                    kind.as_str()
                ),
            );
        }
        match kind {
            CheckKind::Unique => {
                if self.columns.is_empty() {
                    return fail("columns", "a `unique` check needs its columns".to_string());
                }
                if let Some(bad) = self.columns.iter().find(|c| !is_identifier(c)) {
                    return fail("columns", format!("`{bad}` is not a column name"));
                }
            }
            CheckKind::Range => match (self.min, self.max) {
                (None, None) => {
                    return fail("min", "a `range` check needs min, max or both".into());
                }
                (Some(min), Some(max)) if min > max => {
                    return fail("max", format!("max {max} is below min {min}"));
                }
                _ => {}
            },
            CheckKind::Allowed if self.values.is_empty() => {
                return fail("values", "an `allowed` check needs its values".to_string());
            }
            CheckKind::Regex => match &self.pattern {
                None => return fail("pattern", "a `regex` check needs a pattern".to_string()),
                Some(pattern) => {
                    if let Err(e) = regex::Regex::new(pattern) {
                        return fail("pattern", format!("not a regular expression: {e}"));
                    }
                }
            },
            CheckKind::Referential => {
                match self.references.as_deref().and_then(|r| r.split_once('.')) {
                    Some((table, column)) if is_identifier(table) && is_identifier(column) => {}
                    _ => {
                        return fail(
                            "references",
                            "a `referential` check needs `references = \"table.column\"`"
                                .to_string(),
                        );
                    }
                }
            }
            CheckKind::Freshness if self.max_age.is_none() => {
                return fail(
                    "max_age",
                    "a `freshness` check needs max_age (\"6h\")".into(),
                );
            }
            CheckKind::Volume => {
                if self.runs == Some(0) {
                    return fail("runs", "expected at least 1 earlier run".to_string());
                }
                if let Some(tolerance) = &self.tolerance
                    && let Err(message) = parse_share(tolerance)
                {
                    return fail("tolerance", message);
                }
            }
            CheckKind::Outliers | CheckKind::Drift => {
                for (key, value) in [("limit", self.limit), ("max_shift", self.max_shift)] {
                    if let Some(v) = value
                        && !(v.is_finite() && v > 0.0)
                    {
                        return fail(key, format!("expected a positive number, got {v}"));
                    }
                }
            }
            CheckKind::Sql => {
                let Some(expression) = self.expression.as_deref() else {
                    return fail("expression", "an `sql` check needs an expression".into());
                };
                if expression.contains(';') || expression.trim().is_empty() {
                    return fail(
                        "expression",
                        "expected one boolean SQL expression over a row, without `;`".into(),
                    );
                }
            }
            CheckKind::Plugin => match self.plugin.as_deref() {
                None => {
                    return fail(
                        "plugin",
                        "a `plugin` check needs the validator's name (`plugin = \"kickoff-in-season\"`)"
                            .into(),
                    );
                }
                Some(name) if !is_plugin_name(name) => {
                    return fail(
                        "plugin",
                        format!("`{name}` is not a plugin name (lower-case letters, digits, -)"),
                    );
                }
                Some(_) => {}
            },
            _ => {}
        }
        if kind != CheckKind::Plugin && (self.plugin.is_some() || !self.params.is_empty()) {
            let key = if self.plugin.is_some() {
                "plugin"
            } else {
                "params"
            };
            return fail(
                key,
                format!(
                    "only a `plugin` check takes `{key}`; this is a `{}` check",
                    kind.as_str()
                ),
            );
        }
        None
    }
}

/// Whether `name` names a component of the plugin folder (`NAME.wasm`):
/// lower-case letters, digits and `-`, so it can be no path.
pub(crate) fn is_plugin_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
