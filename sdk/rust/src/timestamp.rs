//! The canonical timestamp form: RFC 3339 in UTC with a `Z` suffix.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Rewrites an RFC 3339 timestamp with any offset as UTC
/// (`2022-09-06T18:45:00+02:00` becomes `2022-09-06T16:45:00Z`).
pub fn to_utc_rfc3339(value: &str) -> Result<String, String> {
    let parsed = OffsetDateTime::parse(value, &Rfc3339)
        .map_err(|e| format!("`{value}` is not an RFC 3339 timestamp: {e}"))?;
    parsed
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|e| format!("`{value}` cannot be written as RFC 3339: {e}"))
}

/// Writes a unix time in seconds as RFC 3339 UTC
/// (`1731633300` becomes `2024-11-15T01:15:00Z`).
pub fn from_unix(seconds: i64) -> Result<String, String> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|e| format!("unix time {seconds} is out of range: {e}"))?
        .format(&Rfc3339)
        .map_err(|e| format!("unix time {seconds} cannot be written as RFC 3339: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_utc() {
        assert_eq!(
            to_utc_rfc3339("2022-09-06T18:45:00+02:00").as_deref(),
            Ok("2022-09-06T16:45:00Z")
        );
        assert_eq!(
            to_utc_rfc3339("2022-09-06T16:45:00Z").as_deref(),
            Ok("2022-09-06T16:45:00Z")
        );
        assert!(to_utc_rfc3339("06/09/2022").is_err());
    }

    #[test]
    fn unix_seconds_become_utc() {
        assert_eq!(from_unix(1731633300).as_deref(), Ok("2024-11-15T01:15:00Z"));
        assert_eq!(from_unix(0).as_deref(), Ok("1970-01-01T00:00:00Z"));
        assert!(from_unix(i64::MAX).is_err());
    }
}
