//! HTML and Markdown reports: what was exported, how many rows, the first
//! rows as a table, and the table's latest quality report when a run has
//! graded it. Only the rows shown are kept; the rest are counted.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use super::ExportError;
use super::cells::{Cell, Column};
use super::format::{FormatWriter, WriterOptions, create, io_error};
use super::quality::TableQuality;
use crate::config::ExportFormat;

/// Writes `html` and `md`.
pub struct ReportWriter {
    options: WriterOptions,
    shown: Vec<Vec<String>>,
    rows: u64,
}

impl ReportWriter {
    /// A report; it is written when the rows are all counted.
    pub fn new(options: WriterOptions) -> Self {
        ReportWriter {
            options,
            shown: Vec::new(),
            rows: 0,
        }
    }
}

impl FormatWriter for ReportWriter {
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        for row in rows {
            if self.shown.len() < self.options.report_rows {
                self.shown.push(
                    row.iter()
                        .zip(&self.options.columns)
                        .map(|(cell, c)| {
                            cell.text(c.kind)
                                .map(|t| t.into_owned())
                                .unwrap_or_default()
                        })
                        .collect(),
                );
            }
            self.rows += 1;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, ExportError> {
        let text = match self.options.format {
            ExportFormat::Html => html(&self),
            _ => markdown(&self),
        };
        let path = self.options.file();
        let mut out = create(&path)?;
        out.write_all(text.as_bytes()).map_err(io_error(&path))?;
        out.flush().map_err(io_error(&path))?;
        Ok(vec![PathBuf::from(
            self.options.file_name.clone().unwrap_or_default(),
        )])
    }
}

fn summary(report: &ReportWriter) -> String {
    let shown = report.shown.len();
    let rows = report.rows;
    let plural = if rows == 1 { "" } else { "s" };
    if u64::try_from(shown).unwrap_or(u64::MAX) < rows {
        format!("{rows} row{plural}; the first {shown} shown.")
    } else {
        format!("{rows} row{plural}.")
    }
}

fn types(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|c| c.kind.name()).collect()
}

/// HTML text, escaped.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn html(report: &ReportWriter) -> String {
    let title = escape_html(&report.options.report_title);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>\nbody {{ font-family: system-ui, sans-serif; margin: 2rem; }}\n\
         table {{ border-collapse: collapse; }}\nth, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }}\n\
         th small {{ font-weight: normal; color: #666; }}\n.failed {{ color: #b00; }}\n</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<p>{}</p>\n",
        summary(report)
    );
    if let Some(quality) = &report.options.quality {
        html_quality(&mut out, quality);
    }
    out.push_str("<h2>Rows</h2>\n<table>\n<thead><tr>");
    for (column, kind) in report
        .options
        .columns
        .iter()
        .zip(types(&report.options.columns))
    {
        let _ = write!(
            out,
            "<th>{}<br><small>{}</small></th>",
            escape_html(&column.name),
            escape_html(&kind)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &report.shown {
        out.push_str("<tr>");
        for value in row {
            let _ = write!(out, "<td>{}</td>", escape_html(value));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

fn html_quality(out: &mut String, quality: &TableQuality) {
    let _ = write!(
        out,
        "<h2>Quality: grade {}</h2>\n<p>Score {:.2} over {} rows, run {} ({}).</p>\n",
        escape_html(&quality.grade),
        quality.score,
        quality.rows_checked,
        quality.run_id,
        escape_html(&quality.at)
    );
    if quality.checks.is_empty() {
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>check</th><th>dimension</th><th>result</th><th>failing</th><th>detail</th></tr></thead>\n<tbody>\n",
    );
    for check in &quality.checks {
        let (class, result) = if check.passed {
            ("", "passed")
        } else {
            (" class=\"failed\"", "failed")
        };
        let _ = writeln!(
            out,
            "<tr{class}><td>{}</td><td>{}</td><td>{result}</td><td>{} of {}</td><td>{}</td></tr>",
            escape_html(&check.name),
            escape_html(&check.dimension),
            check.failing,
            check.rows,
            escape_html(&check.detail)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Markdown table cell text: pipes escaped, lines joined.
fn escape_markdown(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn markdown_row(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells.map(|c| escape_markdown(&c)).collect();
    format!("| {} |\n", cells.join(" | "))
}

fn markdown(report: &ReportWriter) -> String {
    let mut out = format!(
        "# {}\n\n{}\n\n",
        escape_markdown(&report.options.report_title),
        summary(report)
    );
    if let Some(quality) = &report.options.quality {
        let _ = write!(
            out,
            "## Quality: grade {}\n\nScore {:.2} over {} rows, run {} ({}).\n\n",
            quality.grade, quality.score, quality.rows_checked, quality.run_id, quality.at
        );
        if !quality.checks.is_empty() {
            out.push_str(
                "| check | dimension | result | failing | detail |\n|---|---|---|---|---|\n",
            );
            for check in &quality.checks {
                out.push_str(&markdown_row(
                    [
                        check.name.clone(),
                        check.dimension.clone(),
                        if check.passed { "passed" } else { "failed" }.to_string(),
                        format!("{} of {}", check.failing, check.rows),
                        check.detail.clone(),
                    ]
                    .into_iter(),
                ));
            }
            out.push('\n');
        }
    }
    out.push_str("## Rows\n\n");
    let columns = &report.options.columns;
    out.push_str(&markdown_row(
        columns
            .iter()
            .map(|c| format!("{} ({})", c.name, c.kind.name())),
    ));
    out.push_str(&format!("|{}\n", "---|".repeat(columns.len())));
    for row in &report.shown {
        out.push_str(&markdown_row(row.iter().cloned()));
    }
    out
}
