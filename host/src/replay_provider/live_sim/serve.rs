//! The simulator's HTTP face: each provider's route, rendered once per
//! served state and logged as served, the faults applied, and the truth.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;

use super::{LiveSim, SimProvider, render_api_football, render_the_odds_api};

/// Which rendering a request asks for: one cached body each.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Rendering {
    /// API-Football: in play only (`live=all`), or the whole day.
    ApiFootball { live_only: bool },
    /// The Odds API: a sport, with completed games or without.
    TheOddsApi { sport: String, days_from: bool },
}

struct Served {
    sim: Arc<LiveSim>,
    /// The body last rendered for each rendering, with its generation.
    bodies: Mutex<HashMap<Rendering, (u64, Bytes)>>,
}

/// Serves `sim` on `listener` until the task is dropped: `GET /fixtures`
/// (API-Football), `GET /v4/sports/{sport}/scores` (The Odds API) and
/// `GET /_sim/truth`.
pub async fn serve(listener: tokio::net::TcpListener, sim: Arc<LiveSim>) -> std::io::Result<()> {
    let state = Arc::new(Served {
        sim,
        bodies: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/fixtures", get(api_football))
        .route("/v4/sports/{sport}/scores", get(the_odds_api))
        .route("/_sim/truth", get(truth))
        .fallback(|| async {
            json_response(
                StatusCode::NOT_FOUND,
                Bytes::from_static(br#"{"message":"the live simulator serves /fixtures, /v4/sports/{sport}/scores and /_sim/truth"}"#),
            )
        })
        .with_state(state);
    axum::serve(listener, app).await
}

async fn api_football(
    State(served): State<Arc<Served>>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let live_only = query.contains_key("live");
    let rendering = Rendering::ApiFootball { live_only };
    answer(
        &served,
        SimProvider::ApiFootball,
        rendering,
        |sim, generation| render_api_football::render(sim, generation, live_only, &query),
    )
}

async fn the_odds_api(
    State(served): State<Arc<Served>>,
    Path(sport): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let days_from = query.contains_key("daysFrom");
    let rendering = Rendering::TheOddsApi {
        sport: sport.clone(),
        days_from,
    };
    answer(
        &served,
        SimProvider::TheOddsApi,
        rendering,
        |sim, generation| render_the_odds_api::render(sim, generation, &sport, days_from),
    )
}

/// The body of `rendering` at the current generation (rendered once per
/// generation), or a 500 while `provider` fails; logged as served.
fn answer(
    served: &Served,
    provider: SimProvider,
    rendering: Rendering,
    render: impl FnOnce(&LiveSim, u64) -> serde_json::Value,
) -> Response {
    let sim = &served.sim;
    let generation = sim.clock().generation(Instant::now());
    if sim.failing(provider, generation) {
        return json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            Bytes::from_static(br#"{"message":"simulated failure"}"#),
        );
    }
    let cached = lock(&served.bodies)
        .get(&rendering)
        .filter(|(at, _)| *at == generation)
        .map(|(_, body)| body.clone());
    let body = match cached {
        Some(body) => body,
        None => {
            let body = Bytes::from(render(sim, generation).to_string());
            lock(&served.bodies).insert(rendering, (generation, body.clone()));
            body
        }
    };
    sim.log_served(provider, generation);
    json_response(StatusCode::OK, body)
}

async fn truth(State(served): State<Arc<Served>>) -> Response {
    let truth = served.sim.truth_at(Instant::now());
    match serde_json::to_vec(&truth) {
        Ok(body) => json_response(StatusCode::OK, Bytes::from(body)),
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            Bytes::from(serde_json::json!({ "message": e.to_string() }).to_string()),
        ),
    }
}

fn json_response(status: StatusCode, body: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
