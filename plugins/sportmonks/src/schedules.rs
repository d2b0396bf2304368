//! The `schedules` stream: a team's or a season's schedule, stages holding
//! rounds holding fixtures (and cup stages holding fixtures directly), as
//! the same records as the `fixtures` stream, with each fixture's stage
//! and round named from where it sits.

use sluice_plugin_sdk::{Batch, HttpRequest, PluginError};

use crate::body::{self, Body};
use crate::event::{self, Collected, Context};
use crate::pages;
use crate::params::ScheduleSelection;
use crate::wire::ScheduleStage;

/// The records of a schedule response.
pub fn normalize(
    selection: &ScheduleSelection,
    request: &HttpRequest,
    body: &[u8],
) -> Result<Batch, PluginError> {
    let read = match body::read(body, "schedule stage")? {
        Body::Data(items) => items,
        Body::NoResults(message) => {
            let what = match selection {
                ScheduleSelection::Team(team) => format!("schedule of team {team}"),
                ScheduleSelection::Season(season) => format!("schedule of season {season}"),
            };
            body::nothing_found(request, &message, false, &what)?;
            return Ok(Batch::of(Vec::new()));
        }
    };
    let timezone = read.timezone.as_deref();
    let mut collected = Collected::default();
    for raw in &read.items {
        let stage: ScheduleStage = match serde_json::from_str(raw.get()) {
            Ok(stage) => stage,
            Err(e) => {
                collected.reject(event::reject(
                    raw,
                    format!("schedule stage is not of the expected shape: {e}"),
                ));
                continue;
            }
        };
        let in_stage = Context {
            timezone,
            stage: stage.name.as_deref(),
            ..Context::default()
        };
        for round in stage.rounds.iter().flatten() {
            let in_round = Context {
                round: round.name.as_deref(),
                ..in_stage
            };
            for fixture in round.fixtures.iter().flatten() {
                collected.add(fixture, &in_round);
            }
        }
        for fixture in stage.fixtures.iter().flatten() {
            collected.add(fixture, &in_stage);
        }
    }
    let mut batch = collected.into_batch();
    batch.follow_ups = pages::next_page(request, read.pagination, read.items.len())
        .into_iter()
        .collect();
    Ok(batch)
}
