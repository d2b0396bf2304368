//! Bindings of `sluice:plugin@0.2.0`, so plugins built before standings,
//! participants, incidents and the enricher world joined the contract keep
//! working: their records convert one to one into the newest contract's.

use super::wit as newest;
use crate::model;

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/versions/0.2.0",
});

pub use self::sluice::plugin::types as wit;

impl From<&model::PlannedRequest> for wit::HttpRequest {
    fn from(r: &model::PlannedRequest) -> Self {
        wit::HttpRequest {
            path: r.path.clone(),
            query: r.query.clone(),
        }
    }
}

/// The 0.2.0 error as the newest contract states it.
pub fn error(err: wit::PluginError) -> newest::PluginError {
    match err {
        wit::PluginError::UnknownStream(m) => newest::PluginError::UnknownStream(m),
        wit::PluginError::InvalidParams(m) => newest::PluginError::InvalidParams(m),
        wit::PluginError::ProviderError(m) => newest::PluginError::ProviderError(m),
        wit::PluginError::MalformedResponse(m) => newest::PluginError::MalformedResponse(m),
    }
}

/// A 0.2.0 batch as the newest contract states it.
pub fn batch(b: wit::Batch) -> newest::Batch {
    newest::Batch {
        records: b.records.into_iter().map(record).collect(),
        rejects: b
            .rejects
            .into_iter()
            .map(|r| newest::Reject {
                provider_id: r.provider_id,
                reason: r.reason,
                raw: r.raw,
            })
            .collect(),
        cursor: b.cursor,
        follow_ups: b.follow_ups.into_iter().map(request).collect(),
    }
}

/// A 0.2.0 request as the newest contract states it.
pub fn request(r: wit::HttpRequest) -> newest::HttpRequest {
    newest::HttpRequest {
        path: r.path,
        query: r.query,
    }
}

fn record(r: wit::Record) -> newest::Record {
    match r {
        wit::Record::Competition(c) => newest::Record::Competition(newest::Competition {
            provider_id: c.provider_id,
            name: c.name,
            sport: c.sport,
            code: c.code,
            area: c.area,
            format: c.format,
            emblem_url: c.emblem_url,
        }),
        wit::Record::Team(t) => newest::Record::Team(newest::Team {
            provider_id: t.provider_id,
            name: t.name,
            short_name: t.short_name,
            code: t.code,
            country: t.country,
            founded: t.founded,
            venue: t.venue,
            crest_url: t.crest_url,
        }),
        wit::Record::Event(e) => newest::Record::Event(newest::Event {
            provider_id: e.provider_id,
            name: e.name,
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
        wit::Record::Odds(o) => newest::Record::Odds(newest::OddsQuote {
            event: o.event,
            bookmaker: o.bookmaker,
            bookmaker_name: o.bookmaker_name,
            market: o.market,
            selection: o.selection,
            participant: o.participant,
            line: o.line,
            price: o.price,
            provider_updated_at: o.provider_updated_at,
        }),
    }
}

fn status(s: wit::EventStatus) -> newest::EventStatus {
    match s {
        wit::EventStatus::Scheduled => newest::EventStatus::Scheduled,
        wit::EventStatus::Live => newest::EventStatus::Live,
        wit::EventStatus::Halftime => newest::EventStatus::Halftime,
        wit::EventStatus::Finished => newest::EventStatus::Finished,
        wit::EventStatus::Postponed => newest::EventStatus::Postponed,
        wit::EventStatus::Cancelled => newest::EventStatus::Cancelled,
        wit::EventStatus::Suspended => newest::EventStatus::Suspended,
        wit::EventStatus::Abandoned => newest::EventStatus::Abandoned,
    }
}
