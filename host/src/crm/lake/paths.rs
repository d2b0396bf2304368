//! The files a `source_file` names: one path, or a pattern whose last
//! component holds `*` (any run of characters) or `?` (one character),
//! such as `lake/transactions/*.parquet`, expanded in name order.

use std::path::{Path, PathBuf};

use super::LakeError;

/// Whether `text` holds a wildcard.
fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// Whether `name` matches `pattern` (`*` and `?` only).
pub fn matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
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
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let dir = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Path::new("."),
        Some(d) => d,
        None => Path::new("."),
    };
    if is_pattern(&dir.to_string_lossy()) || !is_pattern(name) {
        return Err(LakeError::Pattern {
            pattern: source.to_string(),
            message: "wildcards (`*`, `?`) are allowed in the file name only".to_string(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|e| LakeError::Open {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| LakeError::Open {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let file = entry.path();
        let matched = entry.file_name().to_str().is_some_and(|n| matches(name, n));
        if matched && file.is_file() {
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
    fn stars_and_question_marks_match() {
        assert!(matches("*.parquet", "part-0.parquet"));
        assert!(matches("part-?.parquet", "part-7.parquet"));
        assert!(!matches("part-?.parquet", "part-17.parquet"));
        assert!(matches("*-*.parquet", "a-b-c.parquet"));
        assert!(!matches("*.parquet", "x.parquet.partial"));
        assert!(matches("*", ""));
    }

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
