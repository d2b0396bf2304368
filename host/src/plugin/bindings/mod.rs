//! Host bindings of the `sluice:plugin` normalizer world, one module per
//! contract version the host accepts, and their conversion into the host's
//! own model. The newest version is bound here; older ones in their own
//! modules convert straight into the model.

#![allow(missing_docs)]

/// The conversions every older version's module shares, into the contract
/// version after it (`$next`): the request, the error and the batch; the
/// module itself writes `record`, which is where versions differ.
macro_rules! to_next_version {
    ($next:ident) => {
        impl From<&crate::model::PlannedRequest> for wit::HttpRequest {
            fn from(r: &crate::model::PlannedRequest) -> Self {
                wit::HttpRequest {
                    path: r.path.clone(),
                    query: r.query.clone(),
                }
            }
        }

        /// The error as the next contract version states it.
        pub fn error(err: wit::PluginError) -> $next::PluginError {
            match err {
                wit::PluginError::UnknownStream(m) => $next::PluginError::UnknownStream(m),
                wit::PluginError::InvalidParams(m) => $next::PluginError::InvalidParams(m),
                wit::PluginError::ProviderError(m) => $next::PluginError::ProviderError(m),
                wit::PluginError::MalformedResponse(m) => $next::PluginError::MalformedResponse(m),
            }
        }

        /// A batch as the next contract version states it.
        pub fn batch(b: wit::Batch) -> $next::Batch {
            $next::Batch {
                records: b.records.into_iter().map(record).collect(),
                rejects: b
                    .rejects
                    .into_iter()
                    .map(|r| $next::Reject {
                        provider_id: r.provider_id,
                        reason: r.reason,
                        raw: r.raw,
                    })
                    .collect(),
                cursor: b.cursor,
                follow_ups: b.follow_ups.into_iter().map(request).collect(),
            }
        }

        /// A request as the next contract version states it.
        pub fn request(r: wit::HttpRequest) -> $next::HttpRequest {
            $next::HttpRequest {
                path: r.path,
                query: r.query,
            }
        }
    };
}
use to_next_version;

pub mod to_contract;
pub mod v0_1;
pub mod v0_2;

use crate::model;

wasmtime::component::bindgen!({
    world: "normalizer",
    path: "../wit/sluice-plugin.wit",
});

pub use self::sluice::plugin::types as wit;

/// Bindings of the `enricher` world (since 0.3.0), sharing the record types
/// of the normalizer bindings above.
pub mod enricher {
    wasmtime::component::bindgen!({
        world: "enricher",
        path: "../wit/sluice-plugin.wit",
        with: { "sluice:plugin/types": super::sluice::plugin::types },
    });
}

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
    records_size(&b.records)
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

/// About how many bytes `records` hold, for the output cap.
pub fn records_size(records: &[wit::Record]) -> usize {
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
            wit::Record::Standing(t) => {
                t.competition.len()
                    + t.season.len()
                    + opt(&t.group)
                    + t.team.len()
                    + opt(&t.team_name)
                    + opt(&t.form)
                    + opt(&t.note)
                    + opt(&t.provider_updated_at)
            }
            wit::Record::Participant(p) => {
                p.event.len()
                    + opt(&p.provider_id)
                    + p.name.len()
                    + opt(&p.team_name)
                    + opt(&p.result)
            }
            wit::Record::Incident(i) => {
                i.event.len()
                    + opt(&i.team)
                    + opt(&i.player)
                    + opt(&i.related_player)
                    + opt(&i.detail)
            }
            wit::Record::FairPrice(f) => {
                f.event.len()
                    + f.bookmaker.len()
                    + f.market.len()
                    + f.selection.len()
                    + opt(&f.participant)
            }
            wit::Record::MarketConsensus(m) => {
                m.event.len()
                    + m.market.len()
                    + m.selection.len()
                    + opt(&m.participant)
                    + m.best_bookmaker.len()
            }
        }
    };
    records.iter().map(record).sum::<usize>()
}

/// Converts a plugin's batch, stamping every record with `provider`.
pub fn batch(b: wit::Batch, provider: &str) -> model::NormalizedBatch {
    model::NormalizedBatch {
        records: records(b.records, provider),
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

/// Converts records from the contract, stamping each with `provider`
/// and numbering each event's incidents in the order they came.
pub fn records(records: Vec<wit::Record>, provider: &str) -> Vec<model::Record> {
    let mut incidents: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    records
        .into_iter()
        .map(|r| {
            let mut record = record(r, provider);
            if let model::Record::Incident(i) = &mut record {
                let seq = incidents.entry(i.event.clone()).or_insert(0);
                *seq += 1;
                i.seq = *seq;
            }
            record
        })
        .collect()
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
        wit::Record::Standing(t) => model::Record::Standing(model::Standing {
            provider,
            competition: t.competition,
            season: t.season,
            group_name: t.group,
            split: match t.split {
                wit::StandingSplit::Total => model::StandingSplit::Total,
                wit::StandingSplit::Home => model::StandingSplit::Home,
                wit::StandingSplit::Away => model::StandingSplit::Away,
            },
            team: t.team,
            team_name: t.team_name,
            rank: t.rank,
            played: t.played,
            won: t.won,
            drawn: t.drawn,
            lost: t.lost,
            goals_for: t.goals_for,
            goals_against: t.goals_against,
            points: t.points,
            form: t.form,
            note: t.note,
            provider_updated_at: t.provider_updated_at,
        }),
        wit::Record::Participant(p) => model::Record::Participant(model::Participant {
            provider,
            event: p.event,
            participant_id: p.provider_id,
            name: p.name,
            team_name: p.team_name,
            position: p.position,
            result: p.result,
            points: p.points,
        }),
        wit::Record::Incident(i) => model::Record::Incident(model::Incident {
            provider,
            event: i.event,
            seq: 0,
            incident_type: incident_kind(i.kind),
            minute: i.minute,
            extra_minute: i.extra_minute,
            team: i.team,
            player: i.player,
            related_player: i.related_player,
            detail: i.detail,
        }),
        wit::Record::FairPrice(f) => model::Record::FairPrice(model::FairPrice {
            provider,
            event: f.event,
            bookmaker: f.bookmaker,
            market: f.market,
            selection: f.selection,
            participant: f.participant,
            line: f.line,
            price: f.price,
            implied_probability: f.implied_probability,
            overround: f.overround,
            fair_probability: f.fair_probability,
            fair_price: f.fair_price,
        }),
        wit::Record::MarketConsensus(m) => model::Record::MarketConsensus(model::MarketConsensus {
            provider,
            event: m.event,
            market: m.market,
            selection: m.selection,
            participant: m.participant,
            line: m.line,
            best_price: m.best_price,
            best_bookmaker: m.best_bookmaker,
            consensus_probability: m.consensus_probability,
            consensus_price: m.consensus_price,
            bookmakers: m.bookmakers,
        }),
    }
}

fn incident_kind(k: wit::IncidentKind) -> model::IncidentKind {
    use model::IncidentKind as M;
    use wit::IncidentKind as W;
    match k {
        W::Goal => M::Goal,
        W::OwnGoal => M::OwnGoal,
        W::PenaltyGoal => M::PenaltyGoal,
        W::MissedPenalty => M::MissedPenalty,
        W::YellowCard => M::YellowCard,
        W::SecondYellowCard => M::SecondYellowCard,
        W::RedCard => M::RedCard,
        W::Substitution => M::Substitution,
        W::VarDecision => M::VarDecision,
        W::ShootoutGoal => M::ShootoutGoal,
        W::ShootoutMiss => M::ShootoutMiss,
        W::Other => M::Other,
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
