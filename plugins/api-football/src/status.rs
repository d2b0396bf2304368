//! API-Football's `fixture.status.short` codes and the canonical statuses.

use sluice_plugin_sdk::EventStatus;

/// Which part of the match a status is in, for reading its scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not started (or never will be): no scores.
    NotStarted,
    /// The first half: `score.halftime` is the running score, not yet the
    /// half-time score.
    FirstHalf,
    /// Past the first half and not beyond regular time: `goals` is the
    /// regular-time score.
    RegularTime,
    /// Extra time or the shoot-out has begun: `goals` counts extra-time
    /// goals too.
    ExtraTime,
    /// Stopped: the phase follows from the minute it stopped at.
    Stopped,
}

/// A status code, mapped: the canonical status and the phase its scores
/// belong to; an unknown code is refused rather than guessed.
pub fn map(short: &str) -> Result<(EventStatus, Phase), String> {
    use EventStatus as S;
    Ok(match short {
        // TBD: time to be defined; NS: not started.
        "TBD" | "NS" => (S::Scheduled, Phase::NotStarted),
        "1H" => (S::Live, Phase::FirstHalf),
        "HT" => (S::Halftime, Phase::RegularTime),
        // LIVE: in progress, API-Football does not know which half.
        "2H" | "LIVE" => (S::Live, Phase::RegularTime),
        // BT: the break before extra time; nothing of extra time played.
        "BT" => (S::Live, Phase::RegularTime),
        "ET" | "P" => (S::Live, Phase::ExtraTime),
        "FT" => (S::Finished, Phase::RegularTime),
        "AET" | "PEN" => (S::Finished, Phase::ExtraTime),
        // AWD: technical loss, WO: walkover. The result is decided, so
        // the match is over; `goals` holds the awarded score.
        "AWD" | "WO" => (S::Finished, Phase::RegularTime),
        "PST" => (S::Postponed, Phase::NotStarted),
        "CANC" => (S::Cancelled, Phase::NotStarted),
        // INT: interrupted (weather, crowd), expected to resume shortly.
        // Play is stopped, so `suspended` rather than `live` with a running
        // minute; the next read says `1H`/`2H` again when play resumes.
        "INT" | "SUSP" => (S::Suspended, Phase::Stopped),
        "ABD" => (S::Abandoned, Phase::Stopped),
        other => return Err(format!("unknown fixture status `{other}`")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps_and_an_unknown_one_is_refused() {
        use EventStatus as S;
        let cases = [
            ("TBD", S::Scheduled),
            ("NS", S::Scheduled),
            ("1H", S::Live),
            ("HT", S::Halftime),
            ("2H", S::Live),
            ("ET", S::Live),
            ("BT", S::Live),
            ("P", S::Live),
            ("LIVE", S::Live),
            ("INT", S::Suspended),
            ("SUSP", S::Suspended),
            ("FT", S::Finished),
            ("AET", S::Finished),
            ("PEN", S::Finished),
            ("AWD", S::Finished),
            ("WO", S::Finished),
            ("PST", S::Postponed),
            ("CANC", S::Cancelled),
            ("ABD", S::Abandoned),
        ];
        for (code, expected) in cases {
            assert_eq!(map(code).map(|(s, _)| s), Ok(expected), "{code}");
        }
        for unknown in ["XYZ", "ns", "", "FT "] {
            assert_eq!(
                map(unknown),
                Err(format!("unknown fixture status `{unknown}`"))
            );
        }
    }
}
