//! What a plugin's tests ask of the records it returned: those of one
//! kind, and a short label per record to check their order in one line.

use crate::{Event, Record, Standing, StandingSplit};

/// The events among `records`, in order.
pub fn events(records: &[Record]) -> Vec<&Event> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The standings of tables of `split` among `records`, in order.
pub fn standings(records: &[Record], split: StandingSplit) -> Vec<&Standing> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Standing(s) if s.split == split => Some(s),
            _ => None,
        })
        .collect()
}

/// A label per record: `c` and the id of a competition, `t` of a team, `e`
/// of an event, `i` and its event's id for an incident; any other record
/// written out whole.
pub fn labels(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| match r {
            Record::Competition(c) => format!("c{}", c.provider_id),
            Record::Team(t) => format!("t{}", t.provider_id),
            Record::Event(e) => format!("e{}", e.provider_id),
            Record::Incident(i) => format!("i{}", i.event),
            other => format!("{other:?}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Team, scores::Scores};

    #[test]
    fn records_are_picked_and_labelled_in_order() {
        let event = Event {
            provider_id: "7".to_string(),
            ..Scores::default().event()
        };
        let records = [
            Record::Team(Team::named("1", "A")),
            Record::Event(event.clone()),
            Record::Standing(Standing::in_table("39", "2022", None, StandingSplit::Home)),
        ];
        assert_eq!(events(&records), [&event]);
        assert_eq!(standings(&records, StandingSplit::Home).len(), 1);
        assert!(standings(&records, StandingSplit::Total).is_empty());
        let labels = labels(&records);
        assert_eq!(labels[..2], ["t1", "e7"]);
        assert!(labels[2].starts_with("Record::Standing("), "{}", labels[2]);
    }
}
