//! The host's own checks on every record a plugin returns, before anything
//! is loaded: a record the tables cannot hold faithfully (a timestamp that
//! is not RFC 3339, a price that is not a price, a number too large for its
//! column) is moved to the batch's rejects with the reason, so it reaches
//! quarantine instead of failing the whole batch in the database.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{NormalizedBatch, Record, Reject};

/// Moves every record that fails a check from `batch.records` to
/// `batch.rejects`.
pub fn gate(batch: &mut NormalizedBatch) {
    if batch.records.iter().all(|r| problem(r).is_none()) {
        return;
    }
    let records = std::mem::take(&mut batch.records);
    for record in records {
        match problem(&record) {
            None => batch.records.push(record),
            Some(reason) => batch.rejects.push(Reject {
                provider_id: Some(record.provider_id().to_string()),
                reason,
                raw: serde_json::to_string(&record).unwrap_or_default(),
            }),
        }
    }
}

/// What is wrong with `record`, if anything.
pub fn problem(record: &Record) -> Option<String> {
    if record.provider_id().trim().is_empty() {
        return Some("the record has an empty provider id".to_string());
    }
    match record {
        Record::Competition(c) => required("name", &c.name),
        Record::Team(t) => required("name", &t.name),
        Record::Event(e) => timestamp("kickoff", e.kickoff.as_deref())
            .or_else(|| timestamp("provider_updated_at", e.provider_updated_at.as_deref()))
            .or_else(|| {
                [
                    ("matchday", e.matchday),
                    ("minute", e.minute),
                    ("home_score", e.home_score),
                    ("away_score", e.away_score),
                    ("home_score_half_time", e.home_score_half_time),
                    ("away_score_half_time", e.away_score_half_time),
                    ("home_score_extra_time", e.home_score_extra_time),
                    ("away_score_extra_time", e.away_score_extra_time),
                    ("home_score_penalties", e.home_score_penalties),
                    ("away_score_penalties", e.away_score_penalties),
                ]
                .into_iter()
                .find_map(|(field, value)| fits_integer(field, value))
            }),
        Record::Odds(o) => required("bookmaker", &o.bookmaker)
            .or_else(|| required("market", &o.market))
            .or_else(|| required("selection", &o.selection))
            .or_else(|| {
                (!o.price.is_finite() || o.price <= 1.0).then(|| {
                    format!(
                        "price {} is not decimal odds (a finite number above 1)",
                        o.price
                    )
                })
            })
            .or_else(|| {
                o.line
                    .filter(|l| !l.is_finite())
                    .map(|l| format!("line {l} is not a finite number"))
            })
            .or_else(|| timestamp("provider_updated_at", o.provider_updated_at.as_deref())),
        Record::Standing(t) => required("competition", &t.competition)
            .or_else(|| required("season", &t.season))
            .or_else(|| {
                [
                    ("rank", Some(t.rank)),
                    ("played", t.played),
                    ("won", t.won),
                    ("drawn", t.drawn),
                    ("lost", t.lost),
                    ("goals_for", t.goals_for),
                    ("goals_against", t.goals_against),
                ]
                .into_iter()
                .find_map(|(field, value)| fits_integer(field, value))
            })
            .or_else(|| timestamp("provider_updated_at", t.provider_updated_at.as_deref())),
        Record::Participant(p) => required("name", &p.name)
            .or_else(|| fits_integer("position", p.position))
            .or_else(|| finite("points", p.points)),
        Record::Incident(i) => fits_integer("minute", i.minute)
            .or_else(|| fits_integer("extra_minute", i.extra_minute)),
        Record::FairPrice(f) => probability("implied_probability", f.implied_probability)
            .or_else(|| probability("fair_probability", f.fair_probability))
            .or_else(|| finite("overround", Some(f.overround)))
            .or_else(|| finite("line", f.line))
            .or_else(|| above_one("price", f.price))
            .or_else(|| above_one("fair_price", f.fair_price)),
        Record::MarketConsensus(m) => probability("consensus_probability", m.consensus_probability)
            .or_else(|| finite("line", m.line))
            .or_else(|| above_one("best_price", m.best_price))
            .or_else(|| above_one("consensus_price", m.consensus_price))
            .or_else(|| required("best_bookmaker", &m.best_bookmaker)),
    }
}

fn finite(field: &str, value: Option<f64>) -> Option<String> {
    value
        .filter(|v| !v.is_finite())
        .map(|v| format!("`{field}` is {v}, not a finite number"))
}

fn probability(field: &str, value: f64) -> Option<String> {
    (!(value > 0.0 && value <= 1.0))
        .then(|| format!("`{field}` is {value}, not a probability in (0, 1]"))
}

fn above_one(field: &str, value: f64) -> Option<String> {
    (!value.is_finite() || value < 1.0)
        .then(|| format!("`{field}` is {value}, not decimal odds (a finite number, at least 1)"))
}

fn required(field: &str, value: &str) -> Option<String> {
    value
        .trim()
        .is_empty()
        .then(|| format!("`{field}` is empty"))
}

fn timestamp(field: &str, value: Option<&str>) -> Option<String> {
    let value = value?;
    OffsetDateTime::parse(value, &Rfc3339)
        .err()
        .map(|_| format!("`{field}` is `{value}`, not an RFC 3339 timestamp"))
}

fn fits_integer(field: &str, value: Option<u32>) -> Option<String> {
    value
        .filter(|v| i32::try_from(*v).is_err())
        .map(|v| format!("`{field}` is {v}, larger than the column holds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OddsQuote;

    fn quote(price: f64, line: Option<f64>, updated: Option<&str>) -> Record {
        Record::Odds(OddsQuote {
            provider: "p".into(),
            event: "e1".into(),
            bookmaker: "pinnacle".into(),
            bookmaker_name: None,
            market: "spreads".into(),
            selection: "Home".into(),
            participant: None,
            line,
            price,
            provider_updated_at: updated.map(str::to_string),
        })
    }

    #[test]
    fn records_the_tables_cannot_hold_move_to_rejects_with_a_reason() {
        let mut batch = NormalizedBatch {
            records: vec![
                quote(1.91, Some(-1.5), Some("2024-11-29T01:22:00Z")),
                quote(1.0, None, None),
                quote(f64::NAN, None, None),
                quote(2.0, Some(f64::INFINITY), None),
                quote(2.0, None, Some("yesterday")),
            ],
            ..NormalizedBatch::default()
        };
        gate(&mut batch);
        assert_eq!(batch.records.len(), 1);
        let reasons: Vec<&str> = batch.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "price 1 is not decimal odds (a finite number above 1)",
                "price NaN is not decimal odds (a finite number above 1)",
                "line inf is not a finite number",
                "`provider_updated_at` is `yesterday`, not an RFC 3339 timestamp",
            ]
        );
        assert!(batch.rejects[0].raw.contains("\"bookmaker\":\"pinnacle\""));
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("e1"));
    }
}
