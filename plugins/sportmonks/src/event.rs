//! One fixture as canonical records: an event, a competition per league
//! and a team per team the fixtures of a batch name, each once, and the
//! fixture's incidents when the `events` include is there. Used by the
//! `fixtures` stream and, for the fixtures nested in a schedule, by
//! `schedules`.

use std::collections::HashSet;

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, Competition, Event, EventStatus, Record, Reject, Team};

use crate::incidents::incidents;
use crate::kickoff::{is_utc, kickoff, local_to_rfc3339};
use crate::scores::{self, Table};
use crate::sides::{check_score_sides, sides};
use crate::status::{self, Phase};
use crate::wire::{Fixture, League, Participant};
use sluice_plugin_sdk::scores::Scores;

/// Sportmonks' Football API covers association football only; named as
/// the other providers name it.
const SPORT: &str = "Soccer";

/// What a fixture is read with, beyond its own JSON.
#[derive(Default, Clone, Copy)]
pub struct Context<'a> {
    /// The response's `timezone`: `starting_at` is local to it.
    pub timezone: Option<&'a str>,
    /// The league every fixture must belong to (a season backfill's
    /// `league` parameter).
    pub league: Option<u64>,
    /// The stage's name, when the fixture is nested in one.
    pub stage: Option<&'a str>,
    /// The round's name, when the fixture is nested in one.
    pub round: Option<&'a str>,
}

/// Records gathered from fixtures, each competition and team once.
#[derive(Default)]
pub struct Collected {
    competitions: Vec<Record>,
    teams: Vec<Record>,
    events: Vec<Record>,
    incidents: Vec<Record>,
    rejects: Vec<Reject>,
    seen_leagues: HashSet<u64>,
    seen_teams: HashSet<u64>,
    seen_events: HashSet<u64>,
}

impl Collected {
    /// Adds one fixture; a fixture that cannot become an event is
    /// rejected with its raw JSON and the reason, and adds nothing else. A
    /// fixture met twice (a schedule may list one under two stages) is
    /// kept once. Its incidents are added when it carries `events` (none
    /// without the include: not sent is not "none"); `events` that cannot be
    /// read are rejected and the fixture loads without them.
    pub fn add(&mut self, raw: &RawValue, context: &Context) {
        let converted = serde_json::from_str::<Fixture>(raw.get())
            .map_err(|e| format!("fixture is not of the expected shape: {e}"))
            .and_then(|f| event(&f, context).map(|e| (f, e)));
        let (fixture, event) = match converted {
            Ok(pair) => pair,
            Err(reason) => {
                self.rejects.push(reject(raw, reason));
                return;
            }
        };
        if !self.seen_events.insert(fixture.id) {
            return;
        }
        if let Some(list) = &fixture.events {
            match incidents(fixture.id, list) {
                Ok(found) => self
                    .incidents
                    .extend(found.into_iter().map(Record::Incident)),
                Err(reason) => self.rejects.push(Reject {
                    provider_id: Some(fixture.id.to_string()),
                    reason: format!("the fixture's incidents are left out: {reason}"),
                    raw: list.get().to_string(),
                }),
            }
        }
        if let Some(league) = fixture.league
            && self.seen_leagues.insert(league.id)
        {
            self.competitions
                .push(Record::Competition(competition(league)));
        }
        for participant in fixture.participants.into_iter().flatten() {
            if !participant.placeholder && self.seen_teams.insert(participant.id) {
                self.teams.push(Record::Team(team(participant)));
            }
        }
        self.events.push(Record::Event(event));
    }

    /// Adds a team read as a team (an item of the `teams` stream), once.
    /// Added before the fixtures, it is the record kept when a fixture
    /// names the same team among its participants, which say less of it
    /// (no country or venue names).
    pub fn add_team(&mut self, id: u64, team: Team) {
        if self.seen_teams.insert(id) {
            self.teams.push(Record::Team(team));
        }
    }

    /// Adds a reject for an item that is not even a fixture.
    pub fn reject(&mut self, reject: Reject) {
        self.rejects.push(reject);
    }

    /// The batch: competitions first, then teams, then events, then
    /// incidents.
    pub fn into_batch(self) -> Batch {
        let mut records = self.competitions;
        records.extend(self.teams);
        records.extend(self.events);
        records.extend(self.incidents);
        let mut batch = Batch::of(records);
        batch.rejects = self.rejects;
        batch
    }
}

/// A reject of `raw`, with its `id` when it has one.
pub fn reject(raw: &RawValue, reason: String) -> Reject {
    Reject {
        provider_id: raw_id(raw.get()),
        reason,
        raw: raw.get().to_string(),
    }
}

/// `item.id`, for a reject whose item did not parse as a whole.
fn raw_id(raw: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    match value.get("id")? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A league include as a competition; the `standings` stream names its
/// league so too.
pub fn competition(league: League) -> Competition {
    Competition {
        provider_id: league.id.to_string(),
        name: league.name,
        sport: Some(SPORT.to_string()),
        code: league.short_code,
        area: None,
        format: league.kind,
        emblem_url: league.image_path,
    }
}

/// A participant as a team. Its country and venue are ids here; the
/// `teams` stream gives their names.
fn team(p: Participant) -> Team {
    Team {
        provider_id: p.id.to_string(),
        name: p.name,
        short_name: None,
        code: p.short_code,
        country: None,
        founded: p.founded,
        venue: None,
        crest_url: p.image_path,
    }
}

/// One fixture as a canonical event.
fn event(f: &Fixture, context: &Context) -> Result<Event, String> {
    if let Some(expected) = context.league
        && f.league_id != Some(expected)
    {
        return Err(format!(
            "the fixture belongs to league {}, not to league {expected} of the `league` parameter",
            f.league_id
                .map_or_else(|| "(none)".to_string(), |l| l.to_string())
        ));
    }
    let (status, phase) = state(f)?;
    let sides = sides(f.participants.as_deref().unwrap_or_default())?;
    let scores = match &f.scores {
        Some(entries) => {
            check_score_sides(entries, &sides)?;
            scores::split(phase, &Table::read(entries)?)?
        }
        None => Scores::default(),
    };
    let team_id = |p: Option<&Participant>| p.filter(|p| !p.placeholder).map(|p| p.id.to_string());
    let team_name = |p: Option<&Participant>| p.filter(|p| !p.placeholder).map(|p| p.name.clone());
    let round = context
        .round
        .or_else(|| f.round.as_ref().and_then(|r| r.name.as_deref()));
    Ok(Event {
        provider_id: f.id.to_string(),
        name: f.name.clone(),
        competition: f.league_id.map(|l| l.to_string()),
        season: f.season_id.map(|s| s.to_string()),
        stage: context
            .stage
            .or_else(|| f.stage.as_ref().and_then(|s| s.name.as_deref()))
            .map(str::to_string),
        // League rounds are named by their number; cup rounds are stages.
        matchday: round.and_then(|r| r.trim().parse().ok()),
        home_team: team_id(sides.home),
        away_team: team_id(sides.away),
        home_team_name: team_name(sides.home),
        away_team_name: team_name(sides.away),
        kickoff: kickoff(f, context.timezone)?,
        status,
        minute: if status == EventStatus::Live {
            minute(f)
        } else {
            None
        },
        venue: f.venue.as_ref().and_then(|v| v.name.clone()),
        provider_updated_at: f
            .last_processed_at
            .as_deref()
            .filter(|_| is_utc(context.timezone))
            .and_then(|t| local_to_rfc3339(t).ok()),
        ..scores.event()
    })
}

/// The status and phase: from the `state` include's `developer_name`
/// when given (its id must then be the fixture's `state_id`), else from
/// `state_id`.
fn state(f: &Fixture) -> Result<(EventStatus, Phase), String> {
    match (&f.state, f.state_id) {
        (Some(state), state_id) => {
            if let (Some(a), Some(b)) = (state.id, state_id)
                && a != b
            {
                return Err(format!(
                    "the state include is state {a} but the fixture's state_id is {b}"
                ));
            }
            match state.developer_name.as_deref().or(state.state.as_deref()) {
                Some(name) => status::by_name(name),
                None => match state.id.or(state_id) {
                    Some(id) => status::by_id(id),
                    None => Err("the fixture's state has no name and no id".to_string()),
                },
            }
        }
        (None, Some(id)) => status::by_id(id),
        (None, None) => Err("the fixture has no state_id and no state".to_string()),
    }
}

/// The minute on the clock of the period being played, from the
/// `periods` include.
fn minute(f: &Fixture) -> Option<u32> {
    f.periods
        .iter()
        .flatten()
        .filter(|p| p.ticking)
        .filter_map(|p| p.minutes)
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::testing::{events, labels};

    fn collect(json: &str, context: &Context) -> Batch {
        let items: Vec<&RawValue> = serde_json::from_str(json).expect("items");
        let mut collected = Collected::default();
        for raw in items {
            collected.add(raw, context);
        }
        collected.into_batch()
    }

    const HOME: &str = r#"{"id":1,"name":"Home FC","short_code":"HOM","meta":{"location":"home"}}"#;
    const AWAY: &str = r#"{"id":2,"name":"Away FC","short_code":"AWY","meta":{"location":"away"}}"#;

    fn fixture(extra: &str) -> String {
        format!(
            r#"{{"id":100,"league_id":8,"season_id":23614,"state_id":5,"name":"Home FC vs Away FC","starting_at":"2025-05-25 15:00:00","starting_at_timestamp":1748185200,"participants":[{AWAY},{HOME}]{extra}}}"#
        )
    }

    #[test]
    fn home_and_away_come_from_the_participants_location_not_their_order() {
        let batch = collect(&format!("[{}]", fixture("")), &Context::default());
        let e = events(&batch.records)[0];
        assert_eq!(
            (e.home_team.as_deref(), e.away_team.as_deref()),
            (Some("1"), Some("2"))
        );
        assert_eq!(e.home_team_name.as_deref(), Some("Home FC"));
        assert_eq!(e.kickoff.as_deref(), Some("2025-05-25T15:00:00Z"));
        assert_eq!(e.status, EventStatus::Finished);
        let kinds = labels(&batch.records);
        assert_eq!(kinds, ["t2", "t1", "e100"]);
    }

    #[test]
    fn participants_that_are_not_one_home_and_one_away_are_rejected() {
        let two_homes = HOME.replace(r#""id":1"#, r#""id":3"#);
        let json = format!(
            r#"[{{"id":7,"state_id":1,"participants":[{HOME},{two_homes}]}},{{"id":8,"state_id":1,"participants":[{HOME}]}},{{"id":9,"state_id":1,"participants":[{{"id":4,"name":"X","meta":{{"location":"neutral"}}}}]}}]"#
        );
        let batch = collect(&json, &Context::default());
        assert!(batch.records.is_empty());
        let reasons: Vec<&str> = batch.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "participants 1 and 3 are both home",
                "the participants name no away team",
                "participant 4 has location Some(\"neutral\"), neither home nor away",
            ]
        );
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("7"));
    }

    #[test]
    fn a_score_on_the_wrong_side_of_its_participant_is_rejected() {
        let scores = r#","scores":[{"participant_id":1,"score":{"goals":2,"participant":"away"},"description":"CURRENT"}]"#;
        let batch = collect(&format!("[{}]", fixture(scores)), &Context::default());
        assert_eq!(
            batch.rejects[0].reason,
            "score `CURRENT` of participant 1 is marked \"away\", but 1 is the home team"
        );
    }

    #[test]
    fn kickoff_and_state_must_be_consistent() {
        let late = fixture("").replace("1748185200", "1748188800");
        let disagreeing_state = fixture(r#","state":{"id":8,"developer_name":"FT_PEN"}"#);
        let json = format!("[{late},{disagreeing_state}]");
        let batch = collect(&json, &Context::default());
        let reasons: Vec<&str> = batch.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "starting_at `2025-05-25 15:00:00` and starting_at_timestamp 1748188800 are different instants (2025-05-25T15:00:00Z and 2025-05-25T16:00:00Z)",
                "the state include is state 8 but the fixture's state_id is 5",
            ]
        );
    }

    #[test]
    fn a_local_time_outside_utc_is_used_only_through_the_timestamp() {
        let context = Context {
            timezone: Some("Europe/Amsterdam"),
            ..Context::default()
        };
        let with_timestamp = fixture("").replace("2025-05-25 15:00:00", "2025-05-25 17:00:00");
        let without = r#"{"id":5,"state_id":1,"starting_at":"2025-05-25 17:00:00"}"#;
        let batch = collect(&format!("[{with_timestamp},{without}]"), &context);
        assert_eq!(
            events(&batch.records)[0].kickoff.as_deref(),
            Some("2025-05-25T15:00:00Z")
        );
        assert_eq!(
            batch.rejects[0].reason,
            "starting_at `2025-05-25 17:00:00` is local to time zone Some(\"Europe/Amsterdam\") and there is no starting_at_timestamp"
        );
    }

    #[test]
    fn a_backfill_rejects_fixtures_of_another_league() {
        let context = Context {
            league: Some(9),
            ..Context::default()
        };
        let batch = collect(&format!("[{}]", fixture("")), &context);
        assert_eq!(
            batch.rejects[0].reason,
            "the fixture belongs to league 8, not to league 9 of the `league` parameter"
        );
    }

    #[test]
    fn the_live_minute_is_the_ticking_period_and_placeholders_are_no_teams() {
        let live = fixture(
            r#","state":{"id":22,"developer_name":"INPLAY_2ND_HALF"},"periods":[{"ticking":false,"minutes":47},{"ticking":true,"minutes":63}]"#,
        )
        .replace(r#""state_id":5"#, r#""state_id":22"#)
        .replace(r#""id":2,"name":"Away FC""#, r#""id":2,"name":"Winner QF1","placeholder":true"#);
        let batch = collect(&format!("[{live}]"), &Context::default());
        let e = events(&batch.records)[0];
        assert_eq!((e.status, e.minute), (EventStatus::Live, Some(63)));
        assert_eq!(
            (e.away_team.as_deref(), e.away_team_name.as_deref()),
            (None, None)
        );
        assert_eq!(batch.records.len(), 2, "one team, one event");
        // Not live: no minute, even with a ticking period.
        let finished = fixture(r#","periods":[{"ticking":true,"minutes":90}]"#);
        let batch = collect(&format!("[{finished}]"), &Context::default());
        assert_eq!(events(&batch.records)[0].minute, None);
    }

    #[test]
    fn incidents_follow_the_events_only_for_fixtures_with_the_include() {
        let goal = r#"{"id":5,"participant_id":1,"type_id":14,"player_name":"Scorer","minute":12,"extra_minute":null}"#;
        let with = fixture(&format!(r#","events":[{goal}]"#));
        let without = fixture("").replace(r#""id":100"#, r#""id":101"#);
        let null = fixture(r#","events":null"#).replace(r#""id":100"#, r#""id":102"#);
        let broken = fixture(r#","events":[{"id":"x"}]"#).replace(r#""id":100"#, r#""id":103"#);
        let batch = collect(
            &format!("[{with},{without},{null},{broken}]"),
            &Context::default(),
        );
        let kinds: Vec<String> = labels(&batch.records)
            .into_iter()
            .filter(|k| k.starts_with(['e', 'i']))
            .collect();
        assert_eq!(kinds, ["e100", "e101", "e102", "e103", "i100"]);
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("103"));
        assert!(
            batch.rejects[0]
                .reason
                .starts_with("the fixture's incidents are left out: `events` is not a list"),
            "{}",
            batch.rejects[0].reason
        );
    }
}
