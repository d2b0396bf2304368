//! Who may change things through `sluice serve`: starting a run and
//! replaying quarantine need `Authorization: Bearer <token>`, the token read
//! from the environment variable `[serve] admin_token_env` names. Without
//! one configured, the server is read-only.

use axum::http::{HeaderMap, StatusCode};

use super::state::AppState;

/// Refuses a request without the admin token: 401 with a line saying why.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<(), (StatusCode, String)> {
    let Some(expected) = &state.admin_token else {
        return Err((
            StatusCode::UNAUTHORIZED,
            "read-only: set [serve] admin_token_env to an environment variable holding a token to allow this\n"
                .to_string(),
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err((StatusCode::UNAUTHORIZED, "wrong token\n".to_string())),
        None => Err((
            StatusCode::UNAUTHORIZED,
            "this needs the admin token: Authorization: Bearer <token>\n".to_string(),
        )),
    }
}

/// Compares without stopping at the first difference, so the time taken
/// says nothing about how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
