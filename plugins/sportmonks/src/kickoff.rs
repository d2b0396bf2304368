//! Fixture times in the canonical RFC 3339 UTC form. Sportmonks sends a
//! kick-off both as unix seconds and as a local `YYYY-MM-DD HH:MM:SS` in
//! the response's `timezone`.

use sluice_plugin_sdk::timestamp;

use crate::wire::Fixture;

/// Whether local times of a response in `timezone` are UTC: they are
/// unless the request asked for another zone (this plugin never does), so
/// a response without `timezone` (a recording of `data` alone) counts as UTC.
pub fn is_utc(timezone: Option<&str>) -> bool {
    timezone.is_none_or(|tz| tz == "UTC")
}

/// Kick-off in RFC 3339 UTC, from `starting_at_timestamp`, or from
/// `starting_at` when there is no timestamp and the response is in UTC.
/// When both are there they must be the same instant.
pub fn kickoff(f: &Fixture, timezone: Option<&str>) -> Result<Option<String>, String> {
    let from_unix = f
        .starting_at_timestamp
        .map(timestamp::from_unix)
        .transpose()?;
    let local = f.starting_at.as_deref();
    let from_local = match local {
        Some(text) if is_utc(timezone) => Some(local_to_rfc3339(text)?),
        _ => None,
    };
    match (from_unix, from_local) {
        (Some(u), Some(l)) if u != l => Err(format!(
            "starting_at `{}` and starting_at_timestamp {} are different instants ({l} and {u})",
            local.unwrap_or_default(),
            f.starting_at_timestamp.unwrap_or_default()
        )),
        (Some(u), _) => Ok(Some(u)),
        (None, Some(l)) => Ok(Some(l)),
        (None, None) => match local {
            Some(text) => Err(format!(
                "starting_at `{text}` is local to time zone {timezone:?} and there is no starting_at_timestamp"
            )),
            None => Ok(None),
        },
    }
}

/// `2026-05-30 16:00:00` (UTC) as `2026-05-30T16:00:00Z`.
pub fn local_to_rfc3339(text: &str) -> Result<String, String> {
    let well_formed = text.len() == 19 && text.as_bytes().get(10) == Some(&b' ');
    if !well_formed {
        return Err(format!("`{text}` is not a time `YYYY-MM-DD HH:MM:SS`"));
    }
    timestamp::to_utc_rfc3339(&format!("{}T{}Z", &text[..10], &text[11..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(json: &str) -> Fixture {
        serde_json::from_str(json).expect("fixture")
    }

    #[test]
    fn a_local_time_becomes_rfc_3339_when_it_is_well_formed() {
        assert_eq!(
            local_to_rfc3339("2026-05-30 16:00:00").as_deref(),
            Ok("2026-05-30T16:00:00Z")
        );
        for bad in [
            "2026-05-30T16:00:00",
            "2026-05-30 16:00",
            "2026-13-30 16:00:00",
            "30/05/2026 16:00:00",
        ] {
            assert!(local_to_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_kick_off_comes_from_the_timestamp_or_a_utc_local_time() {
        let both = fixture(
            r#"{"id":1,"starting_at":"2026-05-30 16:00:00","starting_at_timestamp":1780156800}"#,
        );
        assert_eq!(
            kickoff(&both, Some("UTC")),
            Ok(Some("2026-05-30T16:00:00Z".to_string()))
        );
        let local = fixture(r#"{"id":1,"starting_at":"2026-05-30 16:00:00"}"#);
        assert_eq!(
            kickoff(&local, None),
            Ok(Some("2026-05-30T16:00:00Z".to_string()))
        );
        assert!(kickoff(&local, Some("Europe/Paris")).is_err());
        // Another zone: the local time is not compared, the timestamp wins.
        let paris = fixture(
            r#"{"id":1,"starting_at":"2026-05-30 18:00:00","starting_at_timestamp":1780156800}"#,
        );
        assert_eq!(
            kickoff(&paris, Some("Europe/Paris")),
            Ok(Some("2026-05-30T16:00:00Z".to_string()))
        );
        assert_eq!(kickoff(&fixture(r#"{"id":1}"#), None), Ok(None));
    }
}
