//! TheSportsDB's `strStatus` and the canonical statuses, and the live
//! minute of `strProgress`.
//!
//! `strStatus` holds either a code of TheSportsDB's documented lists (`NS`,
//! `1H`, `HT`, `FT`, `PST`; `Q1`-`Q4` in basketball and American football,
//! `IN1`-`IN9` in baseball) or words (`Match Finished`, `Not Started`,
//! `Time to be defined`), and is empty or null for many events, races
//! especially.

use sluice_plugin_sdk::EventStatus;

/// Which part of play `intHomeScore`/`intAwayScore` cover, which decides
/// whether they are the contract's regular-time score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not begun (or never will): any score sent is dropped.
    NotStarted,
    /// Regular time, running or over, or play stopped in it: the scores are
    /// the regular-time score (the running one while live).
    RegularTime,
    /// Extra time or overtime has begun: TheSportsDB's one total counts its
    /// goals too and cannot be split, so the scores are left empty rather
    /// than mislabelled as regular time.
    ExtraTime,
}

/// What the item says of its own state, besides `strStatus`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence {
    /// `strPostponed` is `yes`.
    pub postponed: bool,
    /// Both scores are given.
    pub scores: bool,
    /// `strResult` holds a result text.
    pub result: bool,
}

/// The canonical status of an item and the phase its scores belong to.
///
/// A known code or phrase maps as the table says; `strPostponed = yes`
/// turns a not-started event into a postponed one. An empty or null status
/// is read from the item (see [`without_status`]). Any other status is
/// refused rather than guessed.
pub fn standing(status: Option<&str>, evidence: Evidence) -> Result<(EventStatus, Phase), String> {
    let (status, phase) = match status {
        None => without_status(evidence),
        Some(code) => map(code)?,
    };
    if status == EventStatus::Scheduled && evidence.postponed {
        return Ok((EventStatus::Postponed, Phase::NotStarted));
    }
    Ok((status, phase))
}

/// An event with no status: postponed when `strPostponed` says so;
/// finished when both scores or a result text are given (TheSportsDB fills
/// them only once the event has taken place, and a live event carries a
/// status); scheduled otherwise. The plugin has no clock, so a past event
/// with none of these stays scheduled.
fn without_status(evidence: Evidence) -> (EventStatus, Phase) {
    if evidence.postponed {
        (EventStatus::Postponed, Phase::NotStarted)
    } else if evidence.scores || evidence.result {
        (EventStatus::Finished, Phase::RegularTime)
    } else {
        (EventStatus::Scheduled, Phase::NotStarted)
    }
}

/// A status code or phrase, mapped; an unknown one is refused.
pub fn map(code: &str) -> Result<(EventStatus, Phase), String> {
    use EventStatus as S;
    use Phase as P;
    let mapped = match code {
        // TBD: time to be defined.
        "NS" | "TBD" => (S::Scheduled, P::NotStarted),
        // Halves, quarters (basketball, American football), innings; LIVE:
        // in play, the provider does not say which part.
        "1H" | "2H" | "LIVE" | "Q1" | "Q2" | "Q3" | "Q4" => (S::Live, P::RegularTime),
        "IN1" | "IN2" | "IN3" | "IN4" | "IN5" | "IN6" | "IN7" | "IN8" | "IN9" => {
            (S::Live, P::RegularTime)
        }
        // BT: break time; in soccer the break before extra time (as the
        // api-football plugin reads the same code), in basketball between
        // quarters: the running score is still regular time's.
        "BT" => (S::Live, P::RegularTime),
        // ET: extra time, P: the shoot-out, OT: overtime.
        "ET" | "P" | "OT" => (S::Live, P::ExtraTime),
        "HT" => (S::Halftime, P::RegularTime),
        // AWD: technical loss, WO: walkover; the result is decided.
        "FT" | "AWD" | "WO" => (S::Finished, P::RegularTime),
        // After extra time, after penalties, after overtime.
        "AET" | "PEN" | "AOT" => (S::Finished, P::ExtraTime),
        "PST" | "POST" => (S::Postponed, P::NotStarted),
        "CANC" => (S::Cancelled, P::NotStarted),
        // Play stopped: the scores are those of when it stopped.
        "SUSP" | "INT" | "INTR" => (S::Suspended, P::RegularTime),
        "ABD" => (S::Abandoned, P::RegularTime),
        phrase => match phrase.to_ascii_lowercase().as_str() {
            "not started" | "time to be defined" => (S::Scheduled, P::NotStarted),
            "match finished" => (S::Finished, P::RegularTime),
            "postponed" | "match postponed" => (S::Postponed, P::NotStarted),
            "cancelled" | "match cancelled" => (S::Cancelled, P::NotStarted),
            "suspended" | "match suspended" | "interrupted" | "match interrupted" => {
                (S::Suspended, P::RegularTime)
            }
            "abandoned" | "match abandoned" => (S::Abandoned, P::RegularTime),
            _ => return Err(format!("unknown event status `{code}`")),
        },
    };
    Ok(mapped)
}

/// Whether the status says the time is not yet set (`TBD`, `Time to be
/// defined`): the start TheSportsDB writes then is a placeholder midnight.
pub fn time_to_be_defined(status: Option<&str>) -> bool {
    status.is_some_and(|s| s == "TBD" || s.eq_ignore_ascii_case("time to be defined"))
}

/// The minute of play in `strProgress`, for a live soccer event: `67`,
/// `67'`, `45+2` (minute 45). Other sports write a clock or a period there,
/// and `0` is not yet a minute of play: none.
pub fn minute(progress: Option<&str>, sport: Option<&str>) -> Option<u32> {
    if sport.is_some_and(|s| !s.eq_ignore_ascii_case("soccer")) {
        return None;
    }
    let progress = progress?.trim();
    let (base, added) = match progress.split_once('+') {
        Some((base, added)) => (base, Some(added)),
        None => (progress, None),
    };
    let digits = |part: &str| {
        let part = part.trim().trim_end_matches('\'');
        (!part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    if added.is_some_and(|a| digits(a).is_none()) {
        return None;
    }
    digits(base).filter(|&m| m > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventStatus as S;

    #[test]
    fn every_documented_status_maps_and_an_unknown_one_is_refused() {
        let cases = [
            ("NS", S::Scheduled, Phase::NotStarted),
            ("TBD", S::Scheduled, Phase::NotStarted),
            ("Not Started", S::Scheduled, Phase::NotStarted),
            ("Time to be defined", S::Scheduled, Phase::NotStarted),
            ("Time To Be Defined", S::Scheduled, Phase::NotStarted),
            ("1H", S::Live, Phase::RegularTime),
            ("2H", S::Live, Phase::RegularTime),
            ("LIVE", S::Live, Phase::RegularTime),
            ("BT", S::Live, Phase::RegularTime),
            ("Q3", S::Live, Phase::RegularTime),
            ("IN7", S::Live, Phase::RegularTime),
            ("ET", S::Live, Phase::ExtraTime),
            ("P", S::Live, Phase::ExtraTime),
            ("OT", S::Live, Phase::ExtraTime),
            ("HT", S::Halftime, Phase::RegularTime),
            ("FT", S::Finished, Phase::RegularTime),
            ("Match Finished", S::Finished, Phase::RegularTime),
            ("AWD", S::Finished, Phase::RegularTime),
            ("WO", S::Finished, Phase::RegularTime),
            ("AET", S::Finished, Phase::ExtraTime),
            ("PEN", S::Finished, Phase::ExtraTime),
            ("AOT", S::Finished, Phase::ExtraTime),
            ("PST", S::Postponed, Phase::NotStarted),
            ("POST", S::Postponed, Phase::NotStarted),
            ("Postponed", S::Postponed, Phase::NotStarted),
            ("Match Postponed", S::Postponed, Phase::NotStarted),
            ("CANC", S::Cancelled, Phase::NotStarted),
            ("Cancelled", S::Cancelled, Phase::NotStarted),
            ("SUSP", S::Suspended, Phase::RegularTime),
            ("INT", S::Suspended, Phase::RegularTime),
            ("INTR", S::Suspended, Phase::RegularTime),
            ("Suspended", S::Suspended, Phase::RegularTime),
            ("ABD", S::Abandoned, Phase::RegularTime),
            ("Abandoned", S::Abandoned, Phase::RegularTime),
            ("Match Abandoned", S::Abandoned, Phase::RegularTime),
        ];
        for (code, status, phase) in cases {
            assert_eq!(map(code), Ok((status, phase)), "{code}");
        }
        for unknown in ["XYZ", "ns", "FT ", "Q5", "IN10", "Delayed", "Live"] {
            assert_eq!(
                map(unknown),
                Err(format!("unknown event status `{unknown}`")),
                "{unknown}"
            );
        }
    }

    #[test]
    fn an_event_without_status_is_read_from_its_scores_result_and_postponement() {
        let none = Evidence::default();
        assert_eq!(standing(None, none), Ok((S::Scheduled, Phase::NotStarted)));
        let scored = Evidence {
            scores: true,
            ..none
        };
        assert_eq!(
            standing(None, scored),
            Ok((S::Finished, Phase::RegularTime))
        );
        let raced = Evidence {
            result: true,
            ..none
        };
        assert_eq!(standing(None, raced), Ok((S::Finished, Phase::RegularTime)));
        let postponed = Evidence {
            postponed: true,
            scores: true,
            result: false,
        };
        assert_eq!(
            standing(None, postponed),
            Ok((S::Postponed, Phase::NotStarted))
        );
    }

    #[test]
    fn postponement_turns_only_a_not_started_event_into_a_postponed_one() {
        let postponed = Evidence {
            postponed: true,
            ..Evidence::default()
        };
        assert_eq!(
            standing(Some("Not Started"), postponed),
            Ok((S::Postponed, Phase::NotStarted))
        );
        // Played after all: the status is newer than the flag.
        assert_eq!(
            standing(Some("Match Finished"), postponed),
            Ok((S::Finished, Phase::RegularTime))
        );
        assert_eq!(
            standing(Some("2H"), postponed),
            Ok((S::Live, Phase::RegularTime))
        );
        assert!(standing(Some("HOLD"), postponed).is_err());
    }

    #[test]
    fn time_to_be_defined_is_recognised_in_both_forms() {
        assert!(time_to_be_defined(Some("TBD")));
        assert!(time_to_be_defined(Some("Time to be defined")));
        assert!(!time_to_be_defined(Some("NS")));
        assert!(!time_to_be_defined(None));
    }

    #[test]
    fn the_minute_is_read_from_soccer_progress_only() {
        let soccer = Some("Soccer");
        assert_eq!(minute(Some("67"), soccer), Some(67));
        assert_eq!(minute(Some("67'"), soccer), Some(67));
        assert_eq!(minute(Some("45+2"), soccer), Some(45));
        assert_eq!(minute(Some("90'+4'"), soccer), Some(90));
        assert_eq!(minute(Some("67"), None), Some(67));
        assert_eq!(minute(Some("0"), soccer), None);
        assert_eq!(minute(Some("HT"), soccer), None);
        assert_eq!(minute(Some("45+x"), soccer), None);
        assert_eq!(minute(Some("12:34 - 3rd"), soccer), None);
        assert_eq!(minute(None, soccer), None);
        assert_eq!(minute(Some("12"), Some("Basketball")), None);
    }
}
