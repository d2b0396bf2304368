//! Local kick-off times to UTC.
//!
//! football.json gives a match's `date` and `time` in the league's local
//! time, without an offset. The `timezone` parameter names the IANA zone
//! they are in; the conversion uses the IANA database compiled into the
//! plugin (the sandbox has no files), daylight saving included. A `time`
//! carrying its own offset (`18:00 UTC+3`, as tournament files write them)
//! uses that offset instead. A local time that does not exist (skipped by a
//! daylight-saving change) or exists twice is refused, not guessed.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use sluice_plugin_sdk::timestamp;

/// The IANA zone named `name`; an unknown name is an error for the person
/// who wrote the config.
pub fn zone(name: &str) -> Result<TimeZone, String> {
    let unknown = || {
        format!(
            "parameter `timezone` must be an IANA time zone name such as `Europe/Berlin`, not `{name}`"
        )
    };
    // jiff answers `Etc/Unknown` with its "unknown" zone, which is UTC in
    // disguise: not a zone anyone means.
    if name.eq_ignore_ascii_case("Etc/Unknown") {
        return Err(unknown());
    }
    TimeZone::get(name).map_err(|_| unknown())
}

/// The kick-off of a match on local `date` (`YYYY-MM-DD`) at local `time`
/// (`HH:MM`, optionally followed by ` UTC+H` or ` UTC-H`) in `zone`, as RFC
/// 3339 UTC.
pub fn to_utc(date: &str, time: &str, zone: &TimeZone) -> Result<String, String> {
    let day = parse_date(date)?;
    let (clock, offset) = parse_time(time)?;
    let local = DateTime::from_parts(day, clock);
    let instant = match offset {
        Some(offset) => offset
            .to_timestamp(local)
            .map_err(|e| format!("kick-off `{date} {time}` is out of range: {e}"))?,
        None => in_zone(local, zone, date, time)?,
    };
    timestamp::from_unix(instant.as_second())
}

/// `local` in `zone`, refusing the local times a daylight-saving change
/// skips or repeats.
fn in_zone(local: DateTime, zone: &TimeZone, date: &str, time: &str) -> Result<Timestamp, String> {
    let zone_name = zone.iana_name().unwrap_or("the time zone");
    let ambiguous = zone.to_ambiguous_timestamp(local);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => {}
        AmbiguousOffset::Gap { .. } => {
            return Err(format!(
                "kick-off `{date} {time}` does not exist in {zone_name} (the clocks skip it)"
            ));
        }
        AmbiguousOffset::Fold { .. } => {
            return Err(format!(
                "kick-off `{date} {time}` happens twice in {zone_name} (the clocks go back)"
            ));
        }
    }
    ambiguous
        .unambiguous()
        .map_err(|e| format!("kick-off `{date} {time}` is out of range: {e}"))
}

/// A strict `YYYY-MM-DD` calendar date.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let invalid = || format!("date `{text}` is not a calendar date of the form YYYY-MM-DD");
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(invalid());
    }
    let year = number(&text[0..4]).ok_or_else(invalid)?;
    let month = number(&text[5..7]).ok_or_else(invalid)?;
    let day = number(&text[8..10]).ok_or_else(invalid)?;
    let (Ok(year), Ok(month), Ok(day)) =
        (i16::try_from(year), i8::try_from(month), i8::try_from(day))
    else {
        return Err(invalid());
    };
    Date::new(year, month, day).map_err(|_| invalid())
}

/// A strict `HH:MM` clock time, with the offset when one follows
/// (` UTC+3`, ` UTC-5`, ` UTC+5:30`).
fn parse_time(text: &str) -> Result<(Time, Option<Offset>), String> {
    let invalid = || format!("time `{text}` is not a clock time of the form HH:MM");
    let (clock, offset) = match text.split_once(' ') {
        Some((clock, suffix)) => (clock, Some(parse_offset(suffix, text)?)),
        None => (text, None),
    };
    let bytes = clock.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return Err(invalid());
    }
    let hour = number(&clock[0..2]).ok_or_else(invalid)?;
    let minute = number(&clock[3..5]).ok_or_else(invalid)?;
    let (Ok(hour), Ok(minute)) = (i8::try_from(hour), i8::try_from(minute)) else {
        return Err(invalid());
    };
    let time = Time::new(hour, minute, 0, 0).map_err(|_| invalid())?;
    Ok((time, offset))
}

/// `UTC+H`, `UTC-H`, `UTC+H:MM` as an offset.
fn parse_offset(suffix: &str, time: &str) -> Result<Offset, String> {
    let invalid = || format!("time `{time}` has an offset other than UTC+H or UTC-H");
    let signed = suffix.strip_prefix("UTC").ok_or_else(invalid)?;
    let (sign, rest) = match signed.as_bytes().first() {
        Some(b'+') => (1, &signed[1..]),
        Some(b'-') => (-1, &signed[1..]),
        _ => return Err(invalid()),
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h, m),
        Some(_) => return Err(invalid()),
        None => (rest, "00"),
    };
    if hours.is_empty() || hours.len() > 2 {
        return Err(invalid());
    }
    let hours = number(hours).ok_or_else(invalid)?;
    let minutes = number(minutes).ok_or_else(invalid)?;
    if hours > 14 || minutes > 59 {
        return Err(invalid());
    }
    let seconds = i32::try_from(hours * 3600 + minutes * 60).map_err(|_| invalid())?;
    Offset::from_seconds(sign * seconds).map_err(|_| invalid())
}

/// Digits only, as a number: no sign, no spaces.
fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(date: &str, time: &str, zone_name: &str) -> Result<String, String> {
        to_utc(date, time, &zone(zone_name)?)
    }

    #[test]
    fn summer_and_winter_kickoffs_take_their_own_offset() {
        // Bundesliga 2023-24 opener, CEST (UTC+2), and a December match, CET.
        assert_eq!(
            utc("2023-08-18", "20:30", "Europe/Berlin").as_deref(),
            Ok("2023-08-18T18:30:00Z")
        );
        assert_eq!(
            utc("2023-12-16", "15:30", "Europe/Berlin").as_deref(),
            Ok("2023-12-16T14:30:00Z")
        );
        // London: BST (UTC+1) in August, GMT in January.
        assert_eq!(
            utc("2024-08-16", "20:00", "Europe/London").as_deref(),
            Ok("2024-08-16T19:00:00Z")
        );
        assert_eq!(
            utc("2025-01-04", "15:00", "Europe/London").as_deref(),
            Ok("2025-01-04T15:00:00Z")
        );
    }

    #[test]
    fn both_sides_of_a_daylight_saving_change() {
        // Berlin springs forward at 02:00 on 2024-03-31 and falls back at
        // 03:00 on 2023-10-29.
        assert_eq!(
            utc("2024-03-30", "15:30", "Europe/Berlin").as_deref(),
            Ok("2024-03-30T14:30:00Z")
        );
        assert_eq!(
            utc("2024-03-31", "15:30", "Europe/Berlin").as_deref(),
            Ok("2024-03-31T13:30:00Z")
        );
        assert_eq!(
            utc("2023-10-28", "15:30", "Europe/Berlin").as_deref(),
            Ok("2023-10-28T13:30:00Z")
        );
        assert_eq!(
            utc("2023-10-29", "15:30", "Europe/Berlin").as_deref(),
            Ok("2023-10-29T14:30:00Z")
        );
    }

    #[test]
    fn skipped_and_repeated_local_times_are_refused() {
        let gap = utc("2024-03-31", "02:30", "Europe/Berlin").err();
        assert_eq!(
            gap.as_deref(),
            Some(
                "kick-off `2024-03-31 02:30` does not exist in Europe/Berlin (the clocks skip it)"
            )
        );
        let fold = utc("2023-10-29", "02:30", "Europe/Berlin").err();
        assert_eq!(
            fold.as_deref(),
            Some("kick-off `2023-10-29 02:30` happens twice in Europe/Berlin (the clocks go back)")
        );
    }

    #[test]
    fn an_explicit_offset_wins_over_the_zone() {
        assert_eq!(
            utc("2018-06-14", "18:00 UTC+3", "Europe/London").as_deref(),
            Ok("2018-06-14T15:00:00Z")
        );
        assert_eq!(
            utc("2024-06-20", "18:00 UTC-4", "Europe/London").as_deref(),
            Ok("2024-06-20T22:00:00Z")
        );
        assert_eq!(
            utc("2024-06-20", "18:00 UTC+5:30", "Europe/London").as_deref(),
            Ok("2024-06-20T12:30:00Z")
        );
        assert!(utc("2024-06-20", "18:00 CEST", "Europe/London").is_err());
        assert!(utc("2024-06-20", "18:00 UTC+", "Europe/London").is_err());
    }

    #[test]
    fn unknown_zones_are_refused() {
        for name in ["Europe/Atlantis", "", "Etc/Unknown", "Berlin"] {
            assert_eq!(
                zone(name).err(),
                Some(format!(
                    "parameter `timezone` must be an IANA time zone name such as `Europe/Berlin`, not `{name}`"
                )),
                "{name}"
            );
        }
        assert!(zone("Europe/Berlin").is_ok());
        assert!(zone("UTC").is_ok());
    }

    #[test]
    fn malformed_dates_and_times_are_refused() {
        for date in [
            "2023-02-30",
            "2023-8-18",
            "18.08.2023",
            "2023-08-18T20:30",
            "+023-08-18",
        ] {
            assert_eq!(
                utc(date, "20:30", "Europe/Berlin").err(),
                Some(format!(
                    "date `{date}` is not a calendar date of the form YYYY-MM-DD"
                )),
                "{date}"
            );
        }
        for time in ["24:00", "20:60", "8:30", "20.30", "20:30:00", "+1:30"] {
            assert_eq!(
                utc("2023-08-18", time, "Europe/Berlin").err(),
                Some(format!(
                    "time `{time}` is not a clock time of the form HH:MM"
                )),
                "{time}"
            );
        }
    }
}
