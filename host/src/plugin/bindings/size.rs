//! How large a plugin's answer is, for the output cap: counted on the
//! contract's types, before anything is copied into the host's model.

use super::wit;

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
