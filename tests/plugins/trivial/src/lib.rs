//! The smallest useful normalizer, built with the SDK against the current
//! contract: `GET /teams` answers `[{"id": "1", "name": "…"}]`, which
//! becomes teams. `make bench` measures a fresh instance and one call of it.

use sluice_plugin_sdk::{
    Batch, HttpRequest, HttpResponse, Params, PluginError, Record, Source, Team, json,
};

/// The normalizer.
pub struct Trivial;

#[derive(serde::Deserialize)]
struct WireTeam {
    id: String,
    name: String,
}

impl Source for Trivial {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        _params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        match stream.as_str() {
            "teams" => Ok(vec![HttpRequest::get("/teams", &[])]),
            other => Err(PluginError::UnknownStream(other.to_string())),
        }
    }

    fn normalize(
        _stream: String,
        _params: Params,
        _request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        let teams: Vec<WireTeam> = json::parse(&response.body)?;
        Ok(Batch::of(
            teams
                .into_iter()
                .map(|t| Record::Team(Team::named(t.id, t.name)))
                .collect(),
        ))
    }
}

sluice_plugin_sdk::export_normalizer!(Trivial);
