//! The host's records as the contract states them, to hand to an enricher:
//! the provider stamp and the host's incident numbering stay behind and are
//! set again on the way back.

use super::wit;
use crate::model;

/// `record` as the newest contract states it.
pub fn record(record: &model::Record) -> wit::Record {
    match record.clone() {
        model::Record::Competition(c) => wit::Record::Competition(wit::Competition {
            provider_id: c.provider_id,
            name: c.name,
            sport: c.sport,
            code: c.code,
            area: c.area,
            format: c.format,
            emblem_url: c.emblem_url,
        }),
        model::Record::Team(t) => wit::Record::Team(wit::Team {
            provider_id: t.provider_id,
            name: t.name,
            short_name: t.short_name,
            code: t.code,
            country: t.country,
            founded: t.founded,
            venue: t.venue,
            crest_url: t.crest_url,
        }),
        model::Record::Event(e) => wit::Record::Event(wit::Event {
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
        model::Record::Odds(o) => wit::Record::Odds(wit::OddsQuote {
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
        model::Record::Standing(t) => wit::Record::Standing(wit::Standing {
            competition: t.competition,
            season: t.season,
            group: t.group_name,
            split: match t.split {
                model::StandingSplit::Total => wit::StandingSplit::Total,
                model::StandingSplit::Home => wit::StandingSplit::Home,
                model::StandingSplit::Away => wit::StandingSplit::Away,
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
        model::Record::Participant(p) => wit::Record::Participant(wit::Participant {
            event: p.event,
            provider_id: p.participant_id,
            name: p.name,
            team_name: p.team_name,
            position: p.position,
            result: p.result,
            points: p.points,
        }),
        model::Record::Incident(i) => wit::Record::Incident(wit::Incident {
            event: i.event,
            kind: incident_kind(i.incident_type),
            minute: i.minute,
            extra_minute: i.extra_minute,
            team: i.team,
            player: i.player,
            related_player: i.related_player,
            detail: i.detail,
        }),
        model::Record::FairPrice(f) => wit::Record::FairPrice(wit::FairPrice {
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
        model::Record::MarketConsensus(m) => wit::Record::MarketConsensus(wit::MarketConsensus {
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

fn status(s: model::EventStatus) -> wit::EventStatus {
    match s {
        model::EventStatus::Scheduled => wit::EventStatus::Scheduled,
        model::EventStatus::Live => wit::EventStatus::Live,
        model::EventStatus::Halftime => wit::EventStatus::Halftime,
        model::EventStatus::Finished => wit::EventStatus::Finished,
        model::EventStatus::Postponed => wit::EventStatus::Postponed,
        model::EventStatus::Cancelled => wit::EventStatus::Cancelled,
        model::EventStatus::Suspended => wit::EventStatus::Suspended,
        model::EventStatus::Abandoned => wit::EventStatus::Abandoned,
    }
}

fn incident_kind(k: model::IncidentKind) -> wit::IncidentKind {
    use model::IncidentKind as M;
    use wit::IncidentKind as W;
    match k {
        M::Goal => W::Goal,
        M::OwnGoal => W::OwnGoal,
        M::PenaltyGoal => W::PenaltyGoal,
        M::MissedPenalty => W::MissedPenalty,
        M::YellowCard => W::YellowCard,
        M::SecondYellowCard => W::SecondYellowCard,
        M::RedCard => W::RedCard,
        M::Substitution => W::Substitution,
        M::VarDecision => W::VarDecision,
        M::ShootoutGoal => W::ShootoutGoal,
        M::ShootoutMiss => W::ShootoutMiss,
        M::Other => W::Other,
    }
}
