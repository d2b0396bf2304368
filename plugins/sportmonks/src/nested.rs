//! Fixtures nested in another entity by an include (a team's `latest` and
//! `upcoming`), read into the same records as the `fixtures` stream's, so
//! that what a response carries is loaded whichever endpoint it came from.

use serde_json::value::RawValue;
use sluice_plugin_sdk::Reject;

use crate::event::{Collected, Context};

/// Adds the fixtures of include `include` of team `team`, its raw JSON
/// `list`, to `collected`. An include that is not a list is rejected with
/// its JSON and the team loads without it; a fixture of it that cannot
/// become an event is rejected as in the `fixtures` stream.
pub fn add_fixtures(
    collected: &mut Collected,
    team: u64,
    include: &str,
    list: &RawValue,
    context: &Context,
) {
    match serde_json::from_str::<Vec<&RawValue>>(list.get()) {
        Ok(fixtures) => {
            for fixture in fixtures {
                collected.add(fixture, context);
            }
        }
        Err(e) => collected.reject(Reject {
            provider_id: Some(team.to_string()),
            reason: format!(
                "the `{include}` include of team {team} is left out: it is not a list of fixtures ({e})"
            ),
            raw: list.get().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::testing::labels;

    const FIXTURE: &str = r#"{"id":5,"state_id":1,"starting_at_timestamp":1748185200,"participants":[
        {"id":19,"name":"Arsenal","meta":{"location":"home"}},{"id":8,"name":"Liverpool","meta":{"location":"away"}}]}"#;

    fn raw(json: &str) -> &RawValue {
        serde_json::from_str(json).expect("JSON")
    }

    #[test]
    fn each_nested_fixture_is_an_event_with_its_teams() {
        let mut collected = Collected::default();
        let list = format!("[{FIXTURE}]");
        add_fixtures(
            &mut collected,
            19,
            "upcoming",
            raw(&list),
            &Context::default(),
        );
        let batch = collected.into_batch();
        let kinds = labels(&batch.records);
        assert_eq!(kinds, ["t19", "t8", "e5"]);
        assert!(batch.rejects.is_empty());
    }

    #[test]
    fn an_include_that_is_not_a_list_is_rejected_and_nothing_else_added() {
        let mut collected = Collected::default();
        add_fixtures(
            &mut collected,
            19,
            "latest",
            raw(FIXTURE),
            &Context::default(),
        );
        let batch = collected.into_batch();
        assert!(batch.records.is_empty());
        assert_eq!(batch.rejects.len(), 1);
        assert_eq!(batch.rejects[0].provider_id.as_deref(), Some("19"));
        assert!(
            batch.rejects[0].reason.starts_with(
                "the `latest` include of team 19 is left out: it is not a list of fixtures"
            ),
            "{}",
            batch.rejects[0].reason
        );
        assert_eq!(batch.rejects[0].raw, FIXTURE);
    }
}
