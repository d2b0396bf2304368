//! Bindings of `sluice:plugin@0.2.0`, which added odds, and 0.1.0's batch
//! converted into 0.2.0's, with the fields added since left empty, so that
//! plugins built before odds keep working.

use super::since_v0_1_0::wit as previous;

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/since_v0.2.0",
});

pub use self::sluice::plugin::types as wit;

super::upgrades_from!(previous);

fn record(r: previous::Record) -> wit::Record {
    match r {
        previous::Record::Competition(c) => wit::Record::Competition(wit::Competition {
            provider_id: c.provider_id,
            name: c.name,
            sport: None,
            code: c.code,
            area: c.area,
            format: c.format,
            emblem_url: c.emblem_url,
        }),
        previous::Record::Team(t) => wit::Record::Team(wit::Team {
            provider_id: t.provider_id,
            name: t.name,
            short_name: t.short_name,
            code: t.code,
            country: t.country,
            founded: t.founded,
            venue: t.venue,
            crest_url: t.crest_url,
        }),
        previous::Record::Event(e) => wit::Record::Event(wit::Event {
            provider_id: e.provider_id,
            name: None,
            competition: e.competition,
            season: e.season,
            stage: e.stage,
            matchday: e.matchday,
            home_team: e.home_team,
            away_team: e.away_team,
            home_team_name: e.home_team_name,
            away_team_name: e.away_team_name,
            kickoff: e.kickoff,
            status: status(e.status),
            minute: e.minute,
            home_score: e.home_score,
            away_score: e.away_score,
            home_score_half_time: e.home_score_half_time,
            away_score_half_time: e.away_score_half_time,
            home_score_extra_time: e.home_score_extra_time,
            away_score_extra_time: e.away_score_extra_time,
            home_score_penalties: e.home_score_penalties,
            away_score_penalties: e.away_score_penalties,
            venue: e.venue,
            provider_updated_at: e.provider_updated_at,
        }),
    }
}

fn status(s: previous::EventStatus) -> wit::EventStatus {
    match s {
        previous::EventStatus::Scheduled => wit::EventStatus::Scheduled,
        previous::EventStatus::Live => wit::EventStatus::Live,
        previous::EventStatus::Halftime => wit::EventStatus::Halftime,
        previous::EventStatus::Finished => wit::EventStatus::Finished,
        previous::EventStatus::Postponed => wit::EventStatus::Postponed,
        previous::EventStatus::Cancelled => wit::EventStatus::Cancelled,
        previous::EventStatus::Suspended => wit::EventStatus::Suspended,
        previous::EventStatus::Abandoned => wit::EventStatus::Abandoned,
    }
}
