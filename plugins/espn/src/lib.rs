//! sluice normalizer for ESPN's public site v2 scoreboard API.
//!
//! One stream, `scoreboard` (`sport`, `league`, optional `dates`):
//! `GET /apis/site/v2/sports/{sport}/{league}/scoreboard?dates=` below
//! `https://site.api.espn.com` (no key), as one competition (the league),
//! one team per competitor and one event per ESPN event, with its status,
//! live minute (soccer) and scores by period. `sport` is `soccer` or
//! `football` (American football).
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod kickoff;
mod params;
mod scoreboard;
mod status;
mod wire;

use sluice_plugin_sdk::{Batch, HttpRequest, HttpResponse, Params, PluginError, Source, Streams};

use crate::params::ScoreboardParams;

/// The streams this plugin serves, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "espn",
    names: &["scoreboard"],
};

/// The ESPN site v2 scoreboard normalizer.
pub struct Espn;

impl Source for Espn {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        // A board is a snapshot with no "changed since": every run reads it
        // again and the host's upserts keep unchanged rows as they are.
        STREAMS.check(&stream)?;
        let params = ScoreboardParams::read(&params)?;
        let query: Vec<(&str, &str)> = params
            .dates
            .as_deref()
            .map(|d| ("dates", d))
            .into_iter()
            .collect();
        Ok(vec![HttpRequest::get(
            format!(
                "/apis/site/v2/sports/{}/{}/scoreboard",
                params.sport.slug(),
                params.league
            ),
            &query,
        )])
    }

    fn normalize(
        stream: String,
        params: Params,
        _request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        STREAMS.check(&stream)?;
        let params = ScoreboardParams::read(&params)?;
        scoreboard::normalize(&response.body, &params)
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(Espn);

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::params::of as params;

    #[test]
    fn plan_asks_for_the_league_scoreboard() {
        let requests = Espn::plan(
            "scoreboard".to_string(),
            None,
            params(&[("sport", "soccer"), ("league", "usa.1")]),
        )
        .expect("valid parameters");
        assert_eq!(
            requests,
            vec![HttpRequest::get(
                "/apis/site/v2/sports/soccer/usa.1/scoreboard",
                &[]
            )]
        );
        let requests = Espn::plan(
            "scoreboard".to_string(),
            None,
            params(&[
                ("sport", "football"),
                ("league", "nfl"),
                ("dates", "20220908-20220913"),
            ]),
        )
        .expect("valid parameters");
        assert_eq!(
            requests,
            vec![HttpRequest::get(
                "/apis/site/v2/sports/football/nfl/scoreboard",
                &[("dates", "20220908-20220913")]
            )]
        );
    }

    #[test]
    fn plan_refuses_other_streams_and_bad_params() {
        assert_eq!(
            Espn::plan(
                "teams".to_string(),
                None,
                params(&[("sport", "soccer"), ("league", "usa.1")])
            ),
            Err(PluginError::UnknownStream(
                "espn has no stream `teams` (streams: scoreboard)".to_string()
            ))
        );
        assert!(matches!(
            Espn::plan(
                "scoreboard".to_string(),
                None,
                params(&[("sport", "soccer"), ("league", "../x")])
            ),
            Err(PluginError::InvalidParams(_))
        ));
    }

    #[test]
    fn a_body_without_events_is_malformed() {
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"leagues":[]}"#.to_vec(),
        };
        let result = Espn::normalize(
            "scoreboard".to_string(),
            params(&[("sport", "soccer"), ("league", "usa.1")]),
            HttpRequest::get("/", &[]),
            response,
        );
        match result {
            Err(PluginError::MalformedResponse(m)) => {
                assert!(m.contains("missing field `events`"), "{m}")
            }
            other => panic!("expected malformed-response, got {other:?}"),
        }
    }
}
