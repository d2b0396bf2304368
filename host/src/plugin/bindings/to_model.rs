//! The newest contract's batch as the host's model: every record stamped
//! with the provider it came from, incidents numbered, the error written as
//! one line. Older versions reach this through their modules' conversions.

use super::wit;
use crate::model;

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
