//! Host bindings of the `sluice:plugin@0.1.0` normalizer world and their
//! conversion into the host's own model.

#![allow(missing_docs)]

use crate::model;

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit",
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

impl From<wit::HttpRequest> for model::PlannedRequest {
    fn from(r: wit::HttpRequest) -> Self {
        model::PlannedRequest {
            path: r.path,
            query: r.query,
        }
    }
}

/// The contract's error as one line of text.
pub fn describe(err: &wit::PluginError) -> String {
    match err {
        wit::PluginError::UnknownStream(m) => format!("unknown stream: {m}"),
        wit::PluginError::InvalidParams(m) => format!("invalid parameters: {m}"),
        wit::PluginError::ProviderError(m) => format!("provider error: {m}"),
        wit::PluginError::MalformedResponse(m) => format!("malformed response: {m}"),
    }
}

/// Converts a plugin's batch, stamping every record with `provider`.
pub fn batch(b: wit::Batch, provider: &str) -> model::NormalizedBatch {
    model::NormalizedBatch {
        records: b.records.into_iter().map(|r| record(r, provider)).collect(),
        rejects: b
            .rejects
            .into_iter()
            .map(|r| model::Reject {
                provider_id: r.provider_id,
                reason: r.reason,
                raw: r.raw,
            })
            .collect(),
        cursor: b.cursor,
        follow_ups: b.follow_ups.into_iter().map(Into::into).collect(),
    }
}

fn record(r: wit::Record, provider: &str) -> model::Record {
    let provider = provider.to_string();
    match r {
        wit::Record::Competition(c) => model::Record::Competition(model::Competition {
            provider,
            provider_id: c.provider_id,
            name: c.name,
            code: c.code,
            area: c.area,
            format: c.format,
            emblem_url: c.emblem_url,
        }),
        wit::Record::Team(t) => model::Record::Team(model::Team {
            provider,
            provider_id: t.provider_id,
            name: t.name,
            short_name: t.short_name,
            code: t.code,
            country: t.country,
            founded: t.founded,
            venue: t.venue,
            crest_url: t.crest_url,
        }),
        wit::Record::Event(e) => model::Record::Event(model::Event {
            provider,
            provider_id: e.provider_id,
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

fn status(s: wit::EventStatus) -> model::EventStatus {
    match s {
        wit::EventStatus::Scheduled => model::EventStatus::Scheduled,
        wit::EventStatus::Live => model::EventStatus::Live,
        wit::EventStatus::Halftime => model::EventStatus::Halftime,
        wit::EventStatus::Finished => model::EventStatus::Finished,
        wit::EventStatus::Postponed => model::EventStatus::Postponed,
        wit::EventStatus::Cancelled => model::EventStatus::Cancelled,
        wit::EventStatus::Suspended => model::EventStatus::Suspended,
        wit::EventStatus::Abandoned => model::EventStatus::Abandoned,
    }
}
