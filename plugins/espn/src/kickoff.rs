//! ESPN's kick-off times to the canonical form.
//!
//! ESPN writes `date` as RFC 3339 in UTC without seconds
//! (`2022-09-17T17:00Z`), which strict RFC 3339 parsers refuse: the
//! seconds are added before the SDK converts it.

use sluice_plugin_sdk::timestamp;

/// `date` as canonical RFC 3339 UTC (`2022-09-17T17:00:00Z`); a full RFC 3339
/// timestamp with any offset is accepted too.
pub fn to_utc(date: &str) -> Result<String, String> {
    let bytes = date.as_bytes();
    // `YYYY-MM-DDTHH:MM` followed by the offset, not by `:SS`.
    let without_seconds = bytes.len() > 16
        && bytes[10].eq_ignore_ascii_case(&b'T')
        && bytes[13] == b':'
        && bytes[16] != b':'
        && date.is_char_boundary(16);
    let full = if without_seconds {
        format!("{}:00{}", &date[..16], &date[16..])
    } else {
        date.to_string()
    };
    timestamp::to_utc_rfc3339(&full)
        .map_err(|_| format!("kick-off `{date}` is not an RFC 3339 timestamp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn espn_dates_without_seconds_become_canonical() {
        assert_eq!(
            to_utc("2022-09-17T17:00Z").as_deref(),
            Ok("2022-09-17T17:00:00Z")
        );
        assert_eq!(
            to_utc("2022-09-18T02:30Z").as_deref(),
            Ok("2022-09-18T02:30:00Z")
        );
        assert_eq!(
            to_utc("2022-09-11T13:00-04:00").as_deref(),
            Ok("2022-09-11T17:00:00Z")
        );
    }

    #[test]
    fn full_timestamps_keep_working() {
        assert_eq!(
            to_utc("2022-09-17T17:00:00Z").as_deref(),
            Ok("2022-09-17T17:00:00Z")
        );
        assert_eq!(
            to_utc("2022-09-17T19:00:00+02:00").as_deref(),
            Ok("2022-09-17T17:00:00Z")
        );
    }

    #[test]
    fn malformed_dates_are_refused() {
        for date in [
            "2022-09-17",
            "2022-09-17T17Z",
            "2022-09-17T25:00Z",
            "17/09/2022 17:00",
            "",
            "2022-09-17T17:00",
        ] {
            assert_eq!(
                to_utc(date),
                Err(format!("kick-off `{date}` is not an RFC 3339 timestamp")),
                "{date}"
            );
        }
    }
}
