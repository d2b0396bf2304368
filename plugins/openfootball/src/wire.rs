//! The parts of an openfootball football.json league file this plugin reads.
//!
//! A file is `{"name": "Deutsche Bundesliga 2023/24", "matches": [...]}`;
//! a match is `{"round", "date", "time", "team1", "team2", "score"}`, with
//! `time` and `score` absent until known.

use serde::Deserialize;
use serde_json::value::RawValue;

/// A league season file, its matches kept raw so that one bad match is
/// rejected with its own JSON while the others load.
#[derive(Deserialize)]
pub struct Season<'a> {
    /// The league's name as the file gives it, season included.
    pub name: String,
    /// The matches, each still raw JSON.
    #[serde(borrow)]
    pub matches: Vec<&'a RawValue>,
}

/// One match.
#[derive(Deserialize)]
pub struct Match {
    /// `Matchday 1`, or a cup round's name.
    pub round: Option<String>,
    /// The local date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The local kick-off, `HH:MM`, sometimes with an offset (`18:00 UTC+3`).
    pub time: Option<String>,
    /// The home team's name.
    pub team1: Option<String>,
    /// The away team's name.
    pub team2: Option<String>,
    /// The result, once played.
    pub score: Option<Score>,
    /// The first football.json format's full-time score, which this plugin
    /// refuses rather than take a played match for an unplayed one.
    pub score1: Option<serde_json::Value>,
}

/// A result by period, each `[home, away]`; `et` is the score after extra
/// time (regular-time goals included) and `p` the shoot-out.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub struct Score {
    /// Half time.
    pub ht: Option<[u32; 2]>,
    /// Full time (end of regular time).
    pub ft: Option<[u32; 2]>,
    /// After extra time, counting the goals of regular time too.
    pub et: Option<[u32; 2]>,
    /// The penalty shoot-out.
    pub p: Option<[u32; 2]>,
}
