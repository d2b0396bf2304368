//! The recorded provider payloads kept beside the repository, in
//! `../shared/data/providers/` (their licences keep most of them out of it):
//! the one way a test opens one.
//!
//! A recording that is not there fails the test, naming the path it looked
//! for: a test that passes without running proves nothing, and `make test`
//! and CI always have the recordings. A developer running one crate's tests
//! by hand without them may set `SLUICE_ALLOW_MISSING_RECORDINGS=1`; each
//! test that needed a missing recording then returns early and prints a
//! `SKIPPED` line with the number of tests of its binary skipped so far.
//!
//! ```no_run
//! use sluice_test_support::recordings;
//!
//! let Some(body) = recordings::read("sportmonks/v3_football_standings_seasons_23614_data_only.json") else {
//!     return; // only with SLUICE_ALLOW_MISSING_RECORDINGS=1
//! };
//! # drop(body);
//! ```

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The variable that lets a test whose recording is missing skip instead of
/// fail, when set to `1`. Never set by `make test` or CI.
pub const ALLOW_MISSING: &str = "SLUICE_ALLOW_MISSING_RECORDINGS";

/// The variable that points the tests at recordings kept somewhere else
/// than `../shared/data/providers` beside the repository.
pub const ROOT: &str = "SLUICE_RECORDINGS";

/// The tests of this test binary that skipped for a missing recording, by
/// name: the count printed with each skip.
static SKIPPED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// The recording `relative` (`PROVIDER/FILE`) read whole; none when it is
/// missing and [`ALLOW_MISSING`] is set, a failed test naming the path
/// otherwise.
#[track_caller]
pub fn read(relative: &str) -> Option<Vec<u8>> {
    Recordings::from_env().read(relative)
}

/// Every response recorded for `provider` (its `.json` files), sorted by
/// name, so that a test can check each of them and notice a new one; none
/// when the provider's folder is missing and [`ALLOW_MISSING`] is set, a
/// failed test otherwise.
#[track_caller]
pub fn responses(provider: &str) -> Option<Vec<PathBuf>> {
    Recordings::from_env().responses(provider)
}

/// A recordings folder and what to do when something in it is missing.
///
/// The free functions use [`Recordings::from_env`]; the type exists so that
/// the behaviour can be tested on a folder of the test's choosing without
/// changing the process's environment.
#[derive(Debug, Clone)]
pub struct Recordings {
    root: PathBuf,
    allow_missing: bool,
}

impl Recordings {
    /// The recordings at [`ROOT`], or else `../shared/data/providers` beside
    /// the repository; missing ones skip only when [`ALLOW_MISSING`] is `1`.
    pub fn from_env() -> Self {
        let root = std::env::var_os(ROOT)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(beside_the_repository);
        let allow_missing = std::env::var_os(ALLOW_MISSING).is_some_and(|v| v == "1");
        Recordings {
            root,
            allow_missing,
        }
    }

    /// The recordings in `root`; a missing one fails the test unless
    /// `allow_missing`.
    pub fn at(root: impl Into<PathBuf>, allow_missing: bool) -> Self {
        Recordings {
            root: root.into(),
            allow_missing,
        }
    }

    /// The folder the recordings are looked for in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of the recording `relative` (`PROVIDER/FILE`), missing as
    /// for [`read`].
    #[track_caller]
    pub fn path(&self, relative: &str) -> Option<PathBuf> {
        let path = self.root.join(relative);
        if path.is_file() {
            Some(path)
        } else {
            self.missing(&path)
        }
    }

    /// See [`read`].
    #[track_caller]
    pub fn read(&self, relative: &str) -> Option<Vec<u8>> {
        let path = self.path(relative)?;
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("reading the recording {}: {e}", path.display()));
        Some(bytes)
    }

    /// See [`responses`].
    #[track_caller]
    pub fn responses(&self, provider: &str) -> Option<Vec<PathBuf>> {
        let folder = self.root.join(provider);
        if !folder.is_dir() {
            return self.missing(&folder);
        }
        let entries = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("listing the recordings in {}: {e}", folder.display()));
        let mut files: Vec<PathBuf> = entries
            .map(|entry| {
                entry
                    .unwrap_or_else(|e| panic!("listing {}: {e}", folder.display()))
                    .path()
            })
            .filter(|path| path.is_file() && path.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        Some(files)
    }

    /// Fails the test naming `path`, or with [`ALLOW_MISSING`] reports the
    /// skip on stderr and gives none. Written to the stream itself, past the
    /// test harness's capture of `eprintln!`, which would hide it.
    #[track_caller]
    fn missing<T>(&self, path: &Path) -> Option<T> {
        self.missing_to(path, &mut std::io::stderr())
    }

    #[track_caller]
    fn missing_to<T>(&self, path: &Path, out: &mut dyn Write) -> Option<T> {
        assert!(
            self.allow_missing,
            "recording {} is missing: the tests read the recorded provider payloads from {} \
             ({ROOT} names another folder); to skip the tests that need them, set {ALLOW_MISSING}=1",
            path.display(),
            self.root.display(),
        );
        let test = std::thread::current()
            .name()
            .unwrap_or("<unnamed test>")
            .to_string();
        let skipped = {
            let mut skipped = SKIPPED.lock().unwrap_or_else(PoisonError::into_inner);
            skipped.insert(test.clone());
            skipped.len()
        };
        // One write, so that the line is not cut by the harness's own output.
        let line = format!(
            "SKIPPED ({ALLOW_MISSING}=1): {test}: {} is missing; {skipped} test(s) of this binary skipped so far\n",
            path.display()
        );
        let _ = out.write_all(line.as_bytes());
        None
    }
}

/// `../shared/data/providers` beside the repository: this crate is
/// `tests/support` in it.
fn beside_the_repository() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(3)
        .unwrap_or(manifest)
        .join("shared/data/providers")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This crate's own folder stands in for a recordings folder.
    fn here(allow_missing: bool) -> Recordings {
        Recordings::at(env!("CARGO_MANIFEST_DIR"), allow_missing)
    }

    fn nowhere(allow_missing: bool) -> Recordings {
        Recordings::at(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("no-such-recordings"),
            allow_missing,
        )
    }

    #[test]
    #[should_panic(expected = "no-such-recordings/sportmonks/final.json is missing")]
    fn a_missing_recording_fails_the_test_with_its_path() {
        nowhere(false).read("sportmonks/final.json");
    }

    #[test]
    #[should_panic(expected = "no-such-recordings/espn is missing")]
    fn a_missing_provider_folder_fails_the_test_with_its_path() {
        nowhere(false).responses("espn");
    }

    #[test]
    #[should_panic(expected = "support/src/absent.json is missing")]
    fn a_missing_file_in_a_present_folder_fails_too() {
        here(false).read("src/absent.json");
    }

    #[test]
    fn with_the_opt_out_a_missing_recording_is_skipped_and_counted() {
        let recordings = nowhere(true);
        let path = recordings.root().join("sportmonks/final.json");
        let mut printed = Vec::new();
        assert_eq!(recordings.missing_to::<()>(&path, &mut printed), None);
        let printed = String::from_utf8(printed).expect("utf-8");
        let test = "recordings::tests::with_the_opt_out_a_missing_recording_is_skipped_and_counted";
        let expected_start = format!(
            "SKIPPED (SLUICE_ALLOW_MISSING_RECORDINGS=1): {test}: {} is missing; ",
            path.display()
        );
        assert!(printed.starts_with(&expected_start), "{printed}");
        assert!(
            printed.ends_with(" test(s) of this binary skipped so far\n"),
            "{printed}"
        );
        let skipped = SKIPPED.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(skipped.contains(test), "{skipped:?}");
    }

    #[test]
    fn a_present_recording_is_read_and_a_folder_listed_in_order() {
        let dir = std::env::temp_dir().join(format!("sluice-recordings-{}", std::process::id()));
        let provider = dir.join("provider");
        std::fs::create_dir_all(&provider).expect("mkdir");
        for name in ["b.json", "a.json", "headers.json.txt"] {
            std::fs::write(provider.join(name), name).expect("write");
        }
        let recordings = Recordings::at(&dir, false);
        assert_eq!(
            recordings.read("provider/b.json").as_deref(),
            Some(&b"b.json"[..])
        );
        let listed = recordings.responses("provider").expect("present");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(listed, [provider.join("a.json"), provider.join("b.json")]);
    }

    #[test]
    fn the_default_folder_is_beside_the_repository() {
        let root = beside_the_repository();
        assert!(
            root.ends_with("shared/data/providers"),
            "{}",
            root.display()
        );
        let repository = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .expect("the repository");
        assert_eq!(
            root.parent().and_then(Path::parent).and_then(Path::parent),
            repository.parent()
        );
    }
}
