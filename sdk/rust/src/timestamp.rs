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
}
