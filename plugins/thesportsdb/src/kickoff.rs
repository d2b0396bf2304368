//! An event's start, as the canonical RFC 3339 UTC kick-off.
//!
//! TheSportsDB writes the start in UTC without an offset: `strTimestamp`
//! (`2024-10-13T18:45:00`), and the same as `dateEvent` + `strTime`; live
//! scores carry `strEventTime` (`17:50`). When the time is not known it
//! still writes a midnight (`00:00:00`), with the venue's local time
//! (`strTimeLocal`) empty: that midnight is a placeholder, not a start.

use sluice_plugin_sdk::timestamp;

/// The fields of an item that say when it starts.
#[derive(Debug, Default, Clone, Copy)]
pub struct Start<'a> {
    /// `strTimestamp`.
    pub timestamp: Option<&'a str>,
    /// `dateEvent`.
    pub date: Option<&'a str>,
    /// `strTime`.
    pub time: Option<&'a str>,
    /// `strEventTime` (live scores).
    pub event_time: Option<&'a str>,
    /// `strTimeLocal`: none when absent, `Some(None)` when present but empty.
    pub local_time: Option<Option<&'a str>>,
}

/// The kick-off in RFC 3339 UTC, or none when the time is not known: the
/// status says it is to be defined (`tbd`), there is a date without a time,
/// or the time is the placeholder midnight. A start that is not a date and
/// time is refused.
pub fn kickoff(start: &Start, tbd: bool) -> Result<Option<String>, String> {
    if tbd {
        return Ok(None);
    }
    let written = match (start.timestamp, start.date, start.time.or(start.event_time)) {
        (Some(stamp), _, _) => stamp.to_string(),
        (None, Some(date), Some(time)) => format!("{date}T{time}"),
        _ => return Ok(None),
    };
    let Some(utc) = to_utc(&written)? else {
        return Ok(None);
    };
    let placeholder = utc.ends_with("T00:00:00Z") && start.local_time == Some(None);
    Ok((!placeholder).then_some(utc))
}

/// `YYYY-MM-DDTHH:MM[:SS][offset]` (or with a space for `T`) as RFC 3339
/// UTC, read as UTC when it has no offset; none for a date alone.
fn to_utc(written: &str) -> Result<Option<String>, String> {
    let refuse = || format!("kick-off `{written}` is not a date and time");
    let Some((date, rest)) = written.split_once('T').or_else(|| written.split_once(' ')) else {
        return Ok(None);
    };
    let offset_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, offset) = rest.split_at(offset_at);
    let clock = match clock.matches(':').count() {
        1 => format!("{clock}:00"),
        2 => clock.to_string(),
        _ => return Err(refuse()),
    };
    let offset = if offset.is_empty() { "Z" } else { offset };
    timestamp::to_utc_rfc3339(&format!("{date}T{clock}{offset}"))
        .map(Some)
        .map_err(|_| refuse())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(timestamp: &str) -> Start<'_> {
        Start {
            timestamp: Some(timestamp),
            local_time: Some(Some("20:45:00")),
            ..Start::default()
        }
    }

    #[test]
    fn the_timestamp_is_utc_without_an_offset_and_converted_with_one() {
        assert_eq!(
            kickoff(&stamp("2024-10-13T18:45:00"), false),
            Ok(Some("2024-10-13T18:45:00Z".to_string()))
        );
        assert_eq!(
            kickoff(&stamp("2024-10-13T18:45:00+00:00"), false),
            Ok(Some("2024-10-13T18:45:00Z".to_string()))
        );
        assert_eq!(
            kickoff(&stamp("2024-10-13T20:45:00+02:00"), false),
            Ok(Some("2024-10-13T18:45:00Z".to_string()))
        );
        assert_eq!(
            kickoff(&stamp("2024-10-13 18:45:00"), false),
            Ok(Some("2024-10-13T18:45:00Z".to_string()))
        );
    }

    #[test]
    fn without_a_timestamp_the_date_and_time_are_used() {
        let start = Start {
            date: Some("2024-10-13"),
            time: Some("16:00:00"),
            ..Start::default()
        };
        assert_eq!(
            kickoff(&start, false),
            Ok(Some("2024-10-13T16:00:00Z".to_string()))
        );
        let live = Start {
            date: Some("2026-06-16"),
            event_time: Some("17:50"),
            ..Start::default()
        };
        assert_eq!(
            kickoff(&live, false),
            Ok(Some("2026-06-16T17:50:00Z".to_string()))
        );
    }

    #[test]
    fn an_unknown_time_is_no_kickoff_not_a_made_up_midnight() {
        // Time to be defined: the placeholder midnight is ignored.
        assert_eq!(kickoff(&stamp("2024-11-14T00:00:00"), true), Ok(None));
        // A date alone.
        let date_only = Start {
            date: Some("2024-11-14"),
            ..Start::default()
        };
        assert_eq!(kickoff(&date_only, false), Ok(None));
        assert_eq!(kickoff(&Start::default(), false), Ok(None));
        // Midnight with the local time present but empty: a placeholder.
        let blank_local = Start {
            timestamp: Some("2025-03-17T00:00:00"),
            local_time: Some(None),
            ..Start::default()
        };
        assert_eq!(kickoff(&blank_local, false), Ok(None));
    }

    #[test]
    fn a_real_midnight_start_is_kept() {
        // 21:00 in Buenos Aires is midnight UTC.
        let local_known = Start {
            timestamp: Some("2024-09-06T00:00:00"),
            local_time: Some(Some("21:00:00")),
            ..Start::default()
        };
        assert_eq!(
            kickoff(&local_known, false),
            Ok(Some("2024-09-06T00:00:00Z".to_string()))
        );
        // Live scores carry no local time at all.
        let live = Start {
            timestamp: Some("2024-09-06T00:00:00"),
            local_time: None,
            ..Start::default()
        };
        assert_eq!(
            kickoff(&live, false),
            Ok(Some("2024-09-06T00:00:00Z".to_string()))
        );
        // A time other than midnight with an empty local time is a start.
        let other = Start {
            timestamp: Some("2024-09-09T02:00:00"),
            local_time: Some(None),
            ..Start::default()
        };
        assert_eq!(
            kickoff(&other, false),
            Ok(Some("2024-09-09T02:00:00Z".to_string()))
        );
    }

    #[test]
    fn a_start_that_is_not_a_date_and_time_is_refused() {
        for bad in [
            "2024-10-13T25:00:00",
            "2024-13-13T18:45:00",
            "13/10/2024T18:45",
            "2024-10-13T18",
            "2024-10-13T18:45:00:00",
            "2024-10-13Tsoon",
        ] {
            assert_eq!(
                kickoff(&stamp(bad), false),
                Err(format!("kick-off `{bad}` is not a date and time")),
                "{bad}"
            );
        }
    }
}
