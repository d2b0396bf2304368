//! The nine canonical tables. Each column is declared once, beside the value
//! it takes from the record, and `tables!` makes both the table's column
//! list and the record's row from that one list: two columns cannot swap
//! their values, whatever their types.

use super::TableSpec;
use super::keys::{odds_keys, quote_keys};
use super::rows::Row;
use crate::db::Value;
use crate::model::Record;

/// Declares each table's columns with the values a record gives them: the
/// `TableSpec` constants, `ALL` in the order written, `table_of`, and
/// `Row::from(Record)`, all from one list. `let` lines run before the
/// row is made (the odds keys are digests of several fields).
macro_rules! tables {
    ($(
        $(#[$doc:meta])*
        $spec:ident = $name:literal, $variant:ident($record:ident)
        $(let $binding:pat = $computed:expr;)*
        key { $($key:literal: $key_value:expr),+ $(,)? }
        content { $($column:literal: $value:expr),+ $(,)? }
        group { $($group:literal),* $(,)? }
    )+) => {
        $(
            $(#[$doc])*
            pub const $spec: TableSpec = TableSpec {
                name: $name,
                key: &[$($key),+],
                content: &[$($column),+],
                group: &[$($group),*],
            };
        )+

        /// Every canonical table, in the order summaries list them.
        pub const ALL: &[&TableSpec] = &[$(&$spec),+];

        /// The table a record is loaded into.
        pub fn table_of(record: &Record) -> &'static TableSpec {
            match record {
                $(Record::$variant(_) => &$spec,)+
            }
        }

        impl From<Record> for Row {
            fn from(record: Record) -> Self {
                match record {
                    $(Record::$variant($record) => {
                        $(let $binding = $computed;)*
                        Row {
                            table: &$spec,
                            provider: $record.provider,
                            key: vec![$(Value::from($key_value)),+],
                            values: vec![$(Value::from($value)),+],
                        }
                    })+
                }
            }
        }
    };
}

tables! {
    /// `competitions`.
    COMPETITIONS = "competitions", Competition(c)
    key { "provider_id": c.provider_id }
    content {
        "name": c.name,
        "sport": c.sport,
        "code": c.code,
        "area": c.area,
        "format": c.format,
        "emblem_url": c.emblem_url,
    }
    group {}

    /// `teams`.
    TEAMS = "teams", Team(t)
    key { "provider_id": t.provider_id }
    content {
        "name": t.name,
        "short_name": t.short_name,
        "code": t.code,
        "country": t.country,
        "founded": t.founded,
        "venue": t.venue,
        "crest_url": t.crest_url,
    }
    group {}

    /// `events`.
    EVENTS = "events", Event(e)
    key { "provider_id": e.provider_id }
    content {
        "name": e.name,
        "competition": e.competition,
        "season": e.season,
        "stage": e.stage,
        "matchday": e.matchday,
        "home_team": e.home_team,
        "away_team": e.away_team,
        "home_team_name": e.home_team_name,
        "away_team_name": e.away_team_name,
        "kickoff": e.kickoff,
        "status": e.status.as_str(),
        "minute": e.minute,
        "home_score": e.home_score,
        "away_score": e.away_score,
        "home_score_half_time": e.home_score_half_time,
        "away_score_half_time": e.away_score_half_time,
        "home_score_extra_time": e.home_score_extra_time,
        "away_score_extra_time": e.away_score_extra_time,
        "home_score_penalties": e.home_score_penalties,
        "away_score_penalties": e.away_score_penalties,
        "venue": e.venue,
        "provider_updated_at": e.provider_updated_at,
    }
    group {}

    /// `odds`: the current price per event, bookmaker, market, selection,
    /// participant and line, keyed on its market and that identity: one
    /// index finds a quote and a market's whole book. The identity's parts
    /// never differ for one `quote_key`; they are content only so that they
    /// are written.
    ODDS = "odds", Odds(o)
    let (market_key, selection_key, quote_key) = odds_keys(&o);
    key { "market_key": market_key, "quote_key": quote_key }
    content {
        "event_id": o.event,
        "bookmaker": o.bookmaker,
        "market": o.market,
        "selection": o.selection,
        "participant": o.participant,
        "line": o.line,
        "selection_key": selection_key,
        "price": o.price,
        "bookmaker_name": o.bookmaker_name,
        "provider_updated_at": o.provider_updated_at,
    }
    group {}

    /// `standings`: one row per team of each (competition, season, group,
    /// split) table; a batch's table is whole.
    STANDINGS = "standings", Standing(t)
    key {
        "competition": t.competition,
        "season": t.season,
        "group_name": t.group_name.unwrap_or_default(),
        "split": t.split.as_str(),
        "team": t.team,
    }
    content {
        "team_name": t.team_name,
        "rank": t.rank,
        "played": t.played,
        "won": t.won,
        "drawn": t.drawn,
        "lost": t.lost,
        "goals_for": t.goals_for,
        "goals_against": t.goals_against,
        "points": t.points,
        "form": t.form,
        "note": t.note,
        "provider_updated_at": t.provider_updated_at,
    }
    group { "competition", "season", "group_name", "split" }

    /// `participants`: an event's field; a batch's field of an event is
    /// whole.
    PARTICIPANTS = "participants", Participant(p)
    key { "event_id": p.event, "name": p.name }
    content {
        "participant_id": p.participant_id,
        "team_name": p.team_name,
        "position": p.position,
        "result": p.result,
        "points": p.points,
    }
    group { "event_id" }

    /// `incidents`: an event's incidents in order; a batch's are all so far.
    INCIDENTS = "incidents", Incident(i)
    key { "event_id": i.event, "seq": i.seq }
    content {
        "incident_type": i.incident_type.as_str(),
        "minute": i.minute,
        "extra_minute": i.extra_minute,
        "team": i.team,
        "player": i.player,
        "related_player": i.related_player,
        "detail": i.detail,
    }
    group { "event_id" }

    /// `fair_prices`: a quote without its margin, keyed as in `odds`; a
    /// market's book in a batch is whole.
    FAIR_PRICES = "fair_prices", FairPrice(f)
    let (market_key, _, quote_key) = quote_keys(
        &f.event,
        &f.bookmaker,
        &f.market,
        &f.selection,
        f.participant.as_deref(),
        f.line,
    );
    key { "market_key": market_key, "quote_key": quote_key }
    content {
        "event_id": f.event,
        "bookmaker": f.bookmaker,
        "market": f.market,
        "selection": f.selection,
        "participant": f.participant,
        "line": f.line,
        "price": f.price,
        "implied_probability": f.implied_probability,
        "overround": f.overround,
        "fair_probability": f.fair_probability,
        "fair_price": f.fair_price,
    }
    group { "market_key" }

    /// `market_consensus`: a selection across bookmakers, keyed by the
    /// quote's key with no bookmaker (one per selection and line of the
    /// event's market, whoever prices it); an event's market in a batch is
    /// whole.
    MARKET_CONSENSUS = "market_consensus", MarketConsensus(m)
    let (_, _, selection_key) = quote_keys(
        &m.event,
        "",
        &m.market,
        &m.selection,
        m.participant.as_deref(),
        m.line,
    );
    key { "event_id": m.event, "market": m.market, "selection_key": selection_key }
    content {
        "selection": m.selection,
        "participant": m.participant,
        "line": m.line,
        "best_price": m.best_price,
        "best_bookmaker": m.best_bookmaker,
        "consensus_probability": m.consensus_probability,
        "consensus_price": m.consensus_price,
        "bookmakers": m.bookmakers,
    }
    group { "event_id", "market" }
}
