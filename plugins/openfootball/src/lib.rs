//! sluice normalizer for openfootball's football.json league files.
//!
//! One stream, `matches` (`league`, `season`, `timezone`): the league season
//! file `GET /{season}/{league}.json` (for example `/2023-24/de.1.json`) as
//! one competition and one event per match. The files give kick-offs in the
//! league's local time; `timezone` names the IANA zone, and the plugin
//! converts with the time zone database compiled into it. The README beside
//! this crate gives the rules: ids, kick-offs without a time, status.
//!
//! The logic is plain Rust over the SDK's types, so it also builds and is
//! tested natively; only the export at the bottom is WebAssembly-specific.

mod ids;
mod kickoff;
mod matches;
mod params;
mod scores;
mod wire;

use sluice_plugin_sdk::{Batch, HttpRequest, HttpResponse, Params, PluginError, Source, Streams};

use crate::params::MatchParams;

/// The streams this plugin serves, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "openfootball",
    names: &["matches"],
};

/// The openfootball football.json normalizer.
pub struct OpenFootball;

impl Source for OpenFootball {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        // A file holds a whole season and has no "changed since": every run
        // reads it again and the host's upserts keep unchanged rows as they are.
        STREAMS.check(&stream)?;
        let params = MatchParams::read(&params)?;
        Ok(vec![HttpRequest::get(
            format!("/{}/{}.json", params.season, params.league),
            &[],
        )])
    }

    fn normalize(
        stream: String,
        params: Params,
        _request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        STREAMS.check(&stream)?;
        let params = MatchParams::read(&params)?;
        matches::normalize(&response.body, &params)
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(OpenFootball);

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_plugin_sdk::params::of as params;

    #[test]
    fn plan_asks_for_the_season_file() {
        let requests = OpenFootball::plan(
            "matches".to_string(),
            None,
            params(&[
                ("league", "de.1"),
                ("season", "2023-24"),
                ("timezone", "Europe/Berlin"),
            ]),
        )
        .expect("valid parameters");
        assert_eq!(requests, vec![HttpRequest::get("/2023-24/de.1.json", &[])]);
    }

    #[test]
    fn plan_refuses_other_streams_and_bad_zones() {
        let valid = params(&[
            ("league", "de.1"),
            ("season", "2023-24"),
            ("timezone", "Europe/Berlin"),
        ]);
        assert_eq!(
            OpenFootball::plan("teams".to_string(), None, valid),
            Err(PluginError::UnknownStream(
                "openfootball has no stream `teams` (streams: matches)".to_string()
            ))
        );
        let bad_zone = params(&[
            ("league", "de.1"),
            ("season", "2023-24"),
            ("timezone", "CEST"),
        ]);
        assert_eq!(
            OpenFootball::plan("matches".to_string(), None, bad_zone),
            Err(PluginError::InvalidParams(
                "parameter `timezone` must be an IANA time zone name such as `Europe/Berlin`, not `CEST`"
                    .to_string()
            ))
        );
    }
}
