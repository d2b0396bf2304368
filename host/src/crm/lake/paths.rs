//! The files a `source_file` names: one path, or a glob pattern such as
//! `lake/transactions/*.parquet` or `lake/**/part-*.parquet` (`*` and `?`
//! within a folder, `**` across folders), expanded in name order.

use std::path::{Path, PathBuf};

use super::LakeError;

/// Whether `text` holds a wildcard.
fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// The files `source` names, sorted; an error names the path or pattern
/// when there is none.
pub fn expand(source: &str) -> Result<Vec<PathBuf>, LakeError> {
    let path = Path::new(source);
    if !is_pattern(source) {
        if !path.is_file() {
            return Err(LakeError::Open {
                path: path.to_path_buf(),
                message: if path.exists() {
                    "not a file".to_string()
                } else {
                    "no such file".to_string()
                },
            });
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let paths = glob::glob_with(source, options).map_err(|e| LakeError::Pattern {
        pattern: source.to_string(),
        message: format!("{} at character {}", e.msg, e.pos + 1),
    })?;
    let mut files = Vec::new();
    for file in paths {
        let file = file.map_err(|e| LakeError::Open {
            path: e.path().to_path_buf(),
            message: e.error().to_string(),
        })?;
        if file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(LakeError::Pattern {
            pattern: source.to_string(),
            message: "no file matches".to_string(),
        });
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_expands_in_name_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["b.parquet", "a.parquet", "c.csv"] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        let pattern = format!("{}/*.parquet", dir.path().display());
        let files = expand(&pattern).expect("matches");
        let names: Vec<_> = files
            .iter()
            .filter_map(|f| f.file_name()?.to_str())
            .collect();
        assert_eq!(names, ["a.parquet", "b.parquet"]);
        std::fs::create_dir_all(dir.path().join("2024/08")).expect("folders");
        std::fs::write(dir.path().join("2024/08/d.parquet"), b"x").expect("write");
        let deep = expand(&format!("{}/**/*.parquet", dir.path().display())).expect("matches");
        assert_eq!(deep.len(), 3, "{deep:?}");
        let none = expand(&format!("{}/*.json", dir.path().display())).expect_err("no match");
        assert!(none.to_string().contains("no file matches"), "{none}");
        let missing =
            expand(&format!("{}/gone.parquet", dir.path().display())).expect_err("missing");
        assert!(
            missing.to_string().contains("gone.parquet: no such file"),
            "{missing}"
        );
    }
}
