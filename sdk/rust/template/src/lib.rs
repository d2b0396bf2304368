//! The my-provider normalizer: one stream, `teams`, with the parameter
//! `league`. `plan` says which request to make; `normalize` turns the
//! response into canonical teams. No I/O here: the host makes the request.

use serde::Deserialize;
use serde_json::value::RawValue;
use sluice_plugin_sdk::{
    Batch, HttpRequest, HttpResponse, Params, PluginError, Record, Reject, Source, Streams, Team,
    json, params,
};

/// The streams this plugin serves, for the error that names them.
const STREAMS: Streams = Streams {
    plugin: "my-provider",
    names: &["teams"],
};

/// The provider's JSON, as far as this plugin reads it.
#[derive(Deserialize)]
struct TeamList<'a> {
    #[serde(borrow)]
    teams: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct WireTeam {
    id: Option<u64>,
    name: Option<String>,
    short_name: Option<String>,
    country: Option<String>,
    founded: Option<i32>,
}

/// The normalizer.
pub struct MyProvider;

impl Source for MyProvider {
    fn plan(
        stream: String,
        _cursor: Option<String>,
        params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        STREAMS.check(&stream)?;
        let league = params::require(&params, "league")?;
        if league.is_empty() || !league.chars().all(|c| c.is_ascii_digit()) {
            return Err(PluginError::InvalidParams(format!(
                "parameter `league` must be a numeric league id, not `{league}`"
            )));
        }
        Ok(vec![HttpRequest::get(
            format!("/v1/leagues/{league}/teams"),
            &[],
        )])
    }

    fn normalize(
        _stream: String,
        _params: Params,
        _request: HttpRequest,
        response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        let list: TeamList = json::parse(&response.body)?;
        let mut batch = Batch::of(Vec::with_capacity(list.teams.len()));
        for raw in list.teams {
            match serde_json::from_str::<WireTeam>(raw.get()) {
                Ok(WireTeam {
                    id: Some(id),
                    name: Some(name),
                    short_name,
                    country,
                    founded,
                }) => batch.records.push(Record::Team(Team {
                    short_name,
                    country,
                    founded,
                    ..Team::named(id.to_string(), name)
                })),
                Ok(team) => batch.rejects.push(Reject {
                    provider_id: team.id.map(|id| id.to_string()),
                    reason: "a team needs an `id` and a `name`".to_string(),
                    raw: raw.get().to_string(),
                }),
                Err(e) => batch.rejects.push(Reject {
                    provider_id: None,
                    reason: format!("not a team: {e}"),
                    raw: raw.get().to_string(),
                }),
            }
        }
        Ok(batch)
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(MyProvider);
