//! Host bindings of the `sluice:plugin` normalizer world, one module per
//! contract version the host accepts, and their conversion into the host's
//! own model. The newest version is bound here; older ones in their own
//! modules convert straight into the model.

#![allow(missing_docs)]

pub mod v0_1;

use crate::model;

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/sluice-plugin.wit",
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

/// About how many bytes a batch holds: its strings and a fixed cost per
/// record, for the output cap.
pub fn approximate_size(b: &wit::Batch) -> usize {
    let opt = |o: &Option<String>| o.as_ref().map_or(0, String::len);
    let record = |r: &wit::Record| -> usize {
        64 + match r {
            wit::Record::Competition(c) => {
                c.provider_id.len()
                    + c.name.len()
                    + opt(&c.sport)
                    + opt(&c.code)
                    + opt(&c.area)
                    + opt(&c.format)
                    + opt(&c.emblem_url)
            }
            wit::Record::Team(t) => {
                t.provider_id.len()
                    + t.name.len()
                    + opt(&t.short_name)
                    + opt(&t.code)
                    + opt(&t.country)
                    + opt(&t.venue)
                    + opt(&t.crest_url)
            }
            wit::Record::Event(e) => {
                e.provider_id.len()
                    + opt(&e.name)
                    + opt(&e.competition)
                    + opt(&e.season)
                    + opt(&e.stage)
                    + opt(&e.home_team)
                    + opt(&e.away_team)
                    + opt(&e.home_team_name)
                    + opt(&e.away_team_name)
                    + opt(&e.kickoff)
                    + opt(&e.venue)
                    + opt(&e.provider_updated_at)
            }
            wit::Record::Odds(o) => {
                o.event.len()
                    + o.bookmaker.len()
                    + opt(&o.bookmaker_name)
                    + o.market.len()
                    + o.selection.len()
                    + opt(&o.participant)
                    + opt(&o.provider_updated_at)
            }
        }
    };
    b.records.iter().map(record).sum::<usize>()
        + b.rejects
            .iter()
            .map(|r| 64 + opt(&r.provider_id) + r.reason.len() + r.raw.len())
            .sum::<usize>()
        + opt(&b.cursor)
        + b.follow_ups
            .iter()
            .map(|f| {
                f.path.len()
                    + f.query
                        .iter()
                        .map(|(k, v)| k.len() + v.len())
                        .sum::<usize>()
            })
            .sum::<usize>()
}

/// Converts a plugin's batch, stamping every record with `provider`, and
/// moves the records the host's checks refuse to the rejects.
pub fn batch(b: wit::Batch, provider: &str) -> model::NormalizedBatch {
    let mut batch = model::NormalizedBatch {
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
    };
    model::quality::gate(&mut batch);
    batch
}

fn record(r: wit::Record, provider: &str) -> model::Record {
    let provider = provider.to_string();
    match r {
        wit::Record::Competition(c) => model::Record::Competition(model::Competition {
            provider,
            provider_id: c.provider_id,
            name: c.name,
            sport: c.sport,
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
        wit::Record::Odds(o) => model::Record::Odds(model::OddsQuote {
            provider,
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
