//! sluice normalizer for TheSportsDB's v1 JSON API.
//!
//! Streams, each one request below `https://www.thesportsdb.com/api/v1/json`
//! (the host puts the key in the path after that base):
//! - `events` (`league`, `season`): `GET /eventsseason.php?id=&s=`;
//! - `next_events` (`league`): `GET /eventsnextleague.php?id=`;
//! - `past_events` (`league`): `GET /eventspastleague.php?id=`;
//! - `livescore` (`sport` or `league`): `GET /livescore.php?s=` or `?l=`;
//! - `team` (`id`): `GET /lookupteam.php?id=`;
//! - `event_results` (`event`): `GET /eventresults.php?id=`.
//!
//! The event streams give one event per item, and one competition per
//! league and one team per team named; `team` gives the team;
//! `event_results` a participant per result (a driver in a race). A null
//! list is no records; a body that is not such a list is
//! `malformed-response`.
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod body;
mod events;
mod kickoff;
mod params;
mod results;
mod status;
mod teams;
mod wire;

#[cfg(test)]
mod recorded;

use sluice_plugin_sdk::{Batch, HttpRequest, HttpResponse, Params, PluginError, Source};

use crate::params::Stream;

/// The TheSportsDB v1 normalizer.
pub struct TheSportsDb;

impl Source for TheSportsDb {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        // No "changed since" exists: every run reads the selection again
        // and the host's upserts keep unchanged rows as they are.
        Ok(vec![Stream::read(&stream, &params)?.request()])
    }

    fn normalize(
        stream: String,
        params: Params,
        _request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        let body = &response.body;
        Ok(match Stream::read(&stream, &params)? {
            Stream::Events { .. } | Stream::NextEvents { .. } | Stream::PastEvents { .. } => {
                events::normalize(&body::items(body, &["events"])?)
            }
            // A live item is an event item with `strProgress`; v1 lists
            // them under `events`, and `livescore` (v2's name for the list)
            // is read too.
            Stream::Livescore(_) => {
                events::normalize(&body::items(body, &["events", "livescore"])?)
            }
            Stream::Team { .. } => teams::normalize(&body::items(body, &["teams"])?),
            Stream::EventResults { event } => {
                results::normalize(&event, &body::items(body, &["results"])?)
            }
        })
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(TheSportsDb);

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::Record;
    use sluice_plugin_sdk::params::of as params;

    fn run(stream: &str, pairs: &[(&str, &str)], body: &str) -> Result<Batch, PluginError> {
        let params = params(pairs);
        let request = TheSportsDb::plan(stream.to_string(), None, params.clone())?
            .into_iter()
            .next()
            .ok_or_else(|| PluginError::InvalidParams("no request".to_string()))?;
        TheSportsDb::normalize(
            stream.to_string(),
            params,
            request,
            HttpResponse {
                status: 200,
                headers: vec![],
                body: body.as_bytes().to_vec(),
            },
        )
    }

    #[test]
    fn a_null_list_or_an_empty_body_is_no_records() {
        let season = [("league", "4328"), ("season", "2024-2025")];
        for body in [r#"{"events":null}"#, ""] {
            let batch = run("events", &season, body).expect("batch");
            assert!(
                batch.records.is_empty() && batch.rejects.is_empty(),
                "{body:?}"
            );
        }
        let batch = run("team", &[("id", "1")], r#"{"teams":null}"#).expect("batch");
        assert!(batch.records.is_empty());
    }

    #[test]
    fn each_stream_reads_its_own_list() {
        let event = r#"{"idEvent":"1","strEvent":"A vs B","strStatus":"NS"}"#;
        let listed = format!(r#"{{"events":[{event}]}}"#);
        for (stream, pairs) in [
            ("events", &[("league", "1"), ("season", "2024")][..]),
            ("next_events", &[("league", "1")][..]),
            ("past_events", &[("league", "1")][..]),
            ("livescore", &[("sport", "Soccer")][..]),
        ] {
            let batch = run(stream, pairs, &listed).expect("batch");
            assert_eq!(batch.records.len(), 1, "{stream}");
        }
        let live = format!(r#"{{"livescore":[{event}]}}"#);
        let batch = run("livescore", &[("league", "1")], &live).expect("batch");
        assert!(matches!(&batch.records[..], [Record::Event(_)]));
        assert!(matches!(
            run("team", &[("id", "1")], &listed),
            Err(PluginError::MalformedResponse(m)) if m.contains("no `teams` list")
        ));
    }

    #[test]
    fn event_results_read_the_results_list() {
        let event = [("event", "3200001")];
        let none = run("event_results", &event, r#"{"results":null}"#).expect("batch");
        assert!(none.records.is_empty() && none.rejects.is_empty());
        let one = run(
            "event_results",
            &event,
            r#"{"results":[{"idResult":"1","idEvent":"3200001","strPlayer":"A. Rider","intPosition":"1","intPoints":"25"}]}"#,
        )
        .expect("batch");
        assert!(matches!(&one.records[..], [Record::Participant(p)] if p.position == Some(1)));
        assert!(matches!(
            run("event_results", &event, r#"{"events":[]}"#),
            Err(PluginError::MalformedResponse(m)) if m.contains("no `results` list")
        ));
    }

    #[test]
    fn an_unknown_stream_fails_in_normalize_too() {
        assert!(matches!(
            TheSportsDb::normalize(
                "standings".to_string(),
                vec![],
                HttpRequest::get("/", &[]),
                HttpResponse {
                    status: 200,
                    headers: vec![],
                    body: Vec::new(),
                },
            ),
            Err(PluginError::UnknownStream(_))
        ));
    }
}
