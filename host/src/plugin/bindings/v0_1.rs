//! Bindings of `sluice:plugin@0.1.0`, so plugins built before odds joined
//! the contract keep working: their records convert into 0.2.0's with the
//! fields added since left empty, and on from there.

use super::v0_2::wit as next;

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/versions/0.1.0",
});

pub use self::sluice::plugin::types as wit;

super::to_next_version!(next);

fn record(r: wit::Record) -> next::Record {
    match r {
        wit::Record::Competition(c) => next::Record::Competition(next::Competition {
            provider_id: c.provider_id,
            name: c.name,
            sport: None,
            code: c.code,
            area: c.area,
            format: c.format,
            emblem_url: c.emblem_url,
        }),
        wit::Record::Team(t) => next::Record::Team(next::Team {
            provider_id: t.provider_id,
            name: t.name,
            short_name: t.short_name,
            code: t.code,
            country: t.country,
            founded: t.founded,
            venue: t.venue,
            crest_url: t.crest_url,
        }),
        wit::Record::Event(e) => next::Record::Event(next::Event {
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

fn status(s: wit::EventStatus) -> next::EventStatus {
    match s {
        wit::EventStatus::Scheduled => next::EventStatus::Scheduled,
        wit::EventStatus::Live => next::EventStatus::Live,
        wit::EventStatus::Halftime => next::EventStatus::Halftime,
        wit::EventStatus::Finished => next::EventStatus::Finished,
        wit::EventStatus::Postponed => next::EventStatus::Postponed,
        wit::EventStatus::Cancelled => next::EventStatus::Cancelled,
        wit::EventStatus::Suspended => next::EventStatus::Suspended,
        wit::EventStatus::Abandoned => next::EventStatus::Abandoned,
    }
}
