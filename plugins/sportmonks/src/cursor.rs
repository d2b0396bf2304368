//! The position of a season backfill, stored by the host with each batch
//! and handed back to the next `plan`.
//!
//! Format: `v1;league=8;season=23614;page=3` once pages 1 to 3 of the
//! season's fixtures are loaded and more follow, `v1;league=8;season=23614;complete`
//! once the last page is. A rerun resumes at the page after the last one
//! loaded; after `complete` it starts a new pass at page 1, since results
//! of a season in progress change on every page.

/// How far a backfill got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Pages 1 to this one are loaded; more follow.
    Page(u32),
    /// Every page is loaded.
    Complete,
}

/// A season backfill's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeasonCursor {
    /// The `league` parameter of the backfill.
    pub league: u64,
    /// The `season` parameter of the backfill.
    pub season: u64,
    /// How far it got.
    pub progress: Progress,
}

impl SeasonCursor {
    /// The cursor as stored.
    pub fn encode(&self) -> String {
        let progress = match self.progress {
            Progress::Page(page) => format!("page={page}"),
            Progress::Complete => "complete".to_string(),
        };
        format!(
            "v1;league={};season={};{progress}",
            self.league, self.season
        )
    }

    /// A stored cursor, or none when it is not one this plugin wrote.
    pub fn decode(text: &str) -> Option<SeasonCursor> {
        let mut parts = text.split(';');
        if parts.next()? != "v1" {
            return None;
        }
        let league = parts.next()?.strip_prefix("league=")?.parse().ok()?;
        let season = parts.next()?.strip_prefix("season=")?.parse().ok()?;
        let progress = match parts.next()? {
            "complete" => Progress::Complete,
            other => Progress::Page(
                other
                    .strip_prefix("page=")?
                    .parse()
                    .ok()
                    .filter(|p| *p > 0)?,
            ),
        };
        if parts.next().is_some() {
            return None;
        }
        Some(SeasonCursor {
            league,
            season,
            progress,
        })
    }
}

/// The page a run of the backfill of `league` and `season` starts at,
/// given the stored cursor.
///
/// A cursor of another league or season, or one this plugin did not
/// write, is ignored and the backfill starts at page 1: starting over
/// costs requests but loses nothing (the host's upserts keep unchanged
/// rows), while refusing it would stop the stream until someone cleared
/// the checkpoint by hand.
pub fn first_page(cursor: Option<&str>, league: u64, season: u64) -> u32 {
    match cursor.and_then(SeasonCursor::decode) {
        Some(c) if c.league == league && c.season == season => match c.progress {
            Progress::Page(page) => page.saturating_add(1),
            Progress::Complete => 1,
        },
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_written() {
        for progress in [Progress::Page(1), Progress::Page(17), Progress::Complete] {
            let cursor = SeasonCursor {
                league: 8,
                season: 23614,
                progress,
            };
            assert_eq!(SeasonCursor::decode(&cursor.encode()), Some(cursor));
        }
        assert_eq!(
            SeasonCursor {
                league: 8,
                season: 23614,
                progress: Progress::Page(3)
            }
            .encode(),
            "v1;league=8;season=23614;page=3"
        );
    }

    #[test]
    fn a_rerun_resumes_after_the_last_loaded_page_of_its_own_season() {
        assert_eq!(first_page(None, 8, 23614), 1);
        assert_eq!(
            first_page(Some("v1;league=8;season=23614;page=3"), 8, 23614),
            4
        );
        assert_eq!(
            first_page(Some("v1;league=8;season=23614;complete"), 8, 23614),
            1
        );
        // Another season or league: start over.
        assert_eq!(
            first_page(Some("v1;league=8;season=21646;page=3"), 8, 23614),
            1
        );
        assert_eq!(
            first_page(Some("v1;league=9;season=23614;page=3"), 8, 23614),
            1
        );
    }

    #[test]
    fn a_cursor_this_plugin_did_not_write_is_not_read() {
        for text in [
            "",
            "page=3",
            "v2;league=8;season=23614;page=3",
            "v1;season=23614;league=8;page=3",
            "v1;league=8;season=23614;page=0",
            "v1;league=8;season=23614;page=x",
            "v1;league=8;season=23614;page=3;more",
            "v1;league=8;season=23614",
        ] {
            assert_eq!(SeasonCursor::decode(text), None, "{text}");
            assert_eq!(first_page(Some(text), 8, 23614), 1, "{text}");
        }
    }
}
