//! ESPN's status codes and the live minute.
//!
//! ESPN names a status by `status.type.name`. The recorded boards hold
//! `STATUS_SCHEDULED`, `STATUS_FIRST_HALF`, `STATUS_SECOND_HALF`,
//! `STATUS_FULL_TIME` (soccer), `STATUS_IN_PROGRESS` and `STATUS_FINAL`
//! (American football); the others below are the codes ESPN uses for
//! breaks, extra time, shoot-outs and interruptions. A code not listed is
//! refused (the event is rejected with its JSON) rather than guessed from
//! `state`.

use sluice_plugin_sdk::EventStatus;

/// The canonical status of ESPN's `name`.
pub fn status(name: &str) -> Result<EventStatus, String> {
    Ok(match name {
        "STATUS_SCHEDULED" => EventStatus::Scheduled,
        // Play under way, or a short break within it (end of a quarter,
        // before extra time or the shoot-out).
        "STATUS_IN_PROGRESS"
        | "STATUS_FIRST_HALF"
        | "STATUS_SECOND_HALF"
        | "STATUS_END_PERIOD"
        | "STATUS_OVERTIME"
        | "STATUS_EXTRA_TIME"
        | "STATUS_END_OF_EXTRATIME"
        | "STATUS_SHOOTOUT" => EventStatus::Live,
        "STATUS_HALFTIME" | "STATUS_HALFTIME_ET" => EventStatus::Halftime,
        // Over: after regular time, extra time, a shoot-out, or awarded.
        "STATUS_FINAL" | "STATUS_FULL_TIME" | "STATUS_FINAL_AET" | "STATUS_FINAL_PEN"
        | "STATUS_FINAL_AWD" => EventStatus::Finished,
        "STATUS_POSTPONED" => EventStatus::Postponed,
        "STATUS_CANCELED" => EventStatus::Cancelled,
        "STATUS_SUSPENDED" | "STATUS_DELAYED" | "STATUS_RAIN_DELAY" => EventStatus::Suspended,
        "STATUS_ABANDONED" => EventStatus::Abandoned,
        other => return Err(format!("unknown ESPN status `{other}`")),
    })
}

/// Whether `name` says the match went beyond regular time (so its score
/// counts extra-time goals), whatever the period says.
pub fn beyond_regular_time(name: &str) -> bool {
    matches!(
        name,
        "STATUS_OVERTIME"
            | "STATUS_EXTRA_TIME"
            | "STATUS_HALFTIME_ET"
            | "STATUS_END_OF_EXTRATIME"
            | "STATUS_SHOOTOUT"
            | "STATUS_FINAL_AET"
            | "STATUS_FINAL_PEN"
    )
}

/// The minute of a soccer clock: `67'` is 67, added time `90'+3'` is 90
/// (the regular minute it was added to), `105'+1'` is 105. Anything else
/// (`0:48`, an empty clock) has no minute.
pub fn minute(display_clock: &str) -> Option<u32> {
    let clock = display_clock.trim();
    let (minute, rest) = clock.split_once('\'')?;
    if minute.is_empty() || minute.len() > 3 || !minute.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let added_ok = match rest {
        "" => true,
        added => added
            .strip_prefix('+')
            .and_then(|a| a.strip_suffix('\''))
            .is_some_and(|a| {
                !a.is_empty() && a.len() <= 2 && a.bytes().all(|b| b.is_ascii_digit())
            }),
    };
    if !added_ok {
        return None;
    }
    minute.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_statuses_map() {
        let cases = [
            ("STATUS_SCHEDULED", EventStatus::Scheduled),
            ("STATUS_FIRST_HALF", EventStatus::Live),
            ("STATUS_SECOND_HALF", EventStatus::Live),
            ("STATUS_FULL_TIME", EventStatus::Finished),
            ("STATUS_IN_PROGRESS", EventStatus::Live),
            ("STATUS_FINAL", EventStatus::Finished),
        ];
        for (name, expected) in cases {
            assert_eq!(status(name), Ok(expected), "{name}");
        }
    }

    #[test]
    fn breaks_interruptions_and_other_endings_map() {
        let cases = [
            ("STATUS_HALFTIME", EventStatus::Halftime),
            ("STATUS_HALFTIME_ET", EventStatus::Halftime),
            ("STATUS_END_PERIOD", EventStatus::Live),
            ("STATUS_OVERTIME", EventStatus::Live),
            ("STATUS_EXTRA_TIME", EventStatus::Live),
            ("STATUS_SHOOTOUT", EventStatus::Live),
            ("STATUS_FINAL_AET", EventStatus::Finished),
            ("STATUS_FINAL_PEN", EventStatus::Finished),
            ("STATUS_POSTPONED", EventStatus::Postponed),
            ("STATUS_CANCELED", EventStatus::Cancelled),
            ("STATUS_SUSPENDED", EventStatus::Suspended),
            ("STATUS_DELAYED", EventStatus::Suspended),
            ("STATUS_ABANDONED", EventStatus::Abandoned),
        ];
        for (name, expected) in cases {
            assert_eq!(status(name), Ok(expected), "{name}");
        }
    }

    #[test]
    fn an_unknown_status_is_refused_not_guessed() {
        for name in ["STATUS_COIN_TOSS", "", "status_final", "FINAL"] {
            assert_eq!(
                status(name),
                Err(format!("unknown ESPN status `{name}`")),
                "{name}"
            );
        }
    }

    #[test]
    fn the_minute_is_the_regular_minute_of_the_clock() {
        assert_eq!(minute("67'"), Some(67));
        assert_eq!(minute("1'"), Some(1));
        assert_eq!(minute("90'+3'"), Some(90));
        assert_eq!(minute("45'+2'"), Some(45));
        assert_eq!(minute("105'+1'"), Some(105));
        assert_eq!(minute(" 58' "), Some(58));
    }

    #[test]
    fn clocks_that_are_not_soccer_minutes_have_none() {
        for clock in [
            "0:48", "15:00", "", "'", "90'+'", "90'+3", "x'", "67", "1234'", "90'+123'",
        ] {
            assert_eq!(minute(clock), None, "{clock}");
        }
    }

    #[test]
    fn extra_time_statuses_are_known_as_such() {
        assert!(beyond_regular_time("STATUS_FINAL_PEN"));
        assert!(beyond_regular_time("STATUS_OVERTIME"));
        assert!(!beyond_regular_time("STATUS_FINAL"));
        assert!(!beyond_regular_time("STATUS_SECOND_HALF"));
    }
}
