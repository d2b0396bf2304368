//! Sportmonks fixture states and the canonical statuses.
//!
//! The table is Sportmonks' own catalogue (`GET /v3/football/states`): 25
//! states, ids 1-23, 25 and 26. A fixture's state is read from the `state`
//! include's `developer_name` when the response has it, otherwise from the
//! fixture's `state_id`; a state outside the table is refused, never
//! guessed.

use sluice_plugin_sdk::EventStatus;

/// How far a match got, for reading its scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not started, and perhaps never will be: no scores.
    NotStarted,
    /// The first half is played: `1ST_HALF` is still the running score.
    FirstHalf,
    /// The half-time break.
    HalfTime,
    /// The second half is played.
    SecondHalf,
    /// Regular time is over (`FT`, or the break before extra time).
    RegularTimeOver,
    /// Extra time is played or paused between its halves.
    ExtraTime,
    /// Finished after extra time, without a shoot-out.
    AfterExtraTime,
    /// The shoot-out is coming, under way or over; extra time may or may
    /// not have been played before it (some cups go straight to penalties).
    Shootout,
    /// The result was decided off the pitch (awarded, walkover).
    Decided,
    /// Play stopped (suspended, interrupted, abandoned): the scores say
    /// how far it got.
    Stopped,
}

/// One known state.
struct Known {
    id: u32,
    developer_name: &'static str,
    mapped: Result<(EventStatus, Phase), &'static str>,
}

const fn state(id: u32, developer_name: &'static str, status: EventStatus, phase: Phase) -> Known {
    Known {
        id,
        developer_name,
        mapped: Ok((status, phase)),
    }
}

/// Sportmonks' states. Two are refused on purpose: they say nothing about
/// where the match stands.
const STATES: &[Known] = {
    use EventStatus as S;
    use Phase as P;
    &[
        state(1, "NS", S::Scheduled, P::NotStarted),
        state(2, "INPLAY_1ST_HALF", S::Live, P::FirstHalf),
        state(3, "HT", S::Halftime, P::HalfTime),
        // Regular time is over and extra time is about to start.
        state(4, "BREAK", S::Live, P::RegularTimeOver),
        state(5, "FT", S::Finished, P::RegularTimeOver),
        state(6, "INPLAY_ET", S::Live, P::ExtraTime),
        state(7, "AET", S::Finished, P::AfterExtraTime),
        state(8, "FT_PEN", S::Finished, P::Shootout),
        state(9, "INPLAY_PENALTIES", S::Live, P::Shootout),
        state(10, "POSTPONED", S::Postponed, P::NotStarted),
        // Suspended: "will continue later", so not abandoned.
        state(11, "SUSPENDED", S::Suspended, P::Stopped),
        state(12, "CANCELLED", S::Cancelled, P::NotStarted),
        // To be announced: the kick-off time is not fixed yet.
        state(13, "TBA", S::Scheduled, P::NotStarted),
        // Walkover and awarded: the result is decided, the match is over.
        state(14, "WO", S::Finished, P::Decided),
        state(15, "ABANDONED", S::Abandoned, P::Stopped),
        // Delayed: it will kick off later than planned; not started yet.
        state(16, "DELAYED", S::Scheduled, P::NotStarted),
        state(17, "AWARDED", S::Finished, P::Decided),
        // Interrupted (weather, crowd): play is stopped and expected to
        // resume shortly, like a suspension.
        state(18, "INTERRUPTED", S::Suspended, P::Stopped),
        Known {
            id: 19,
            developer_name: "AWAITING_UPDATES",
            mapped: Err(
                "Sportmonks is awaiting updates for this fixture (state AWAITING_UPDATES), so where it stands is not known",
            ),
        },
        // Deleted: replaced by another fixture id, so this one will never be
        // played. Sportmonks only returns these when asked to.
        state(20, "DELETED", S::Cancelled, P::NotStarted),
        state(21, "EXTRA_TIME_BREAK", S::Live, P::ExtraTime),
        state(22, "INPLAY_2ND_HALF", S::Live, P::SecondHalf),
        // `state` says INPLAY_ET_2ND_HALF, `developer_name` says this.
        state(23, "INPLAY_ET_SECOND_HALF", S::Live, P::ExtraTime),
        state(25, "PEN_BREAK", S::Live, P::Shootout),
        Known {
            id: 26,
            developer_name: "PENDING",
            mapped: Err(
                "the fixture is pending (state PENDING): Sportmonks does not say whether it was played",
            ),
        },
    ]
};

/// The status and phase of a `developer_name` (or the `state` code, which
/// differs for one state).
pub fn by_name(name: &str) -> Result<(EventStatus, Phase), String> {
    let name = match name {
        "INPLAY_ET_2ND_HALF" => "INPLAY_ET_SECOND_HALF",
        other => other,
    };
    match STATES.iter().find(|s| s.developer_name == name) {
        Some(known) => known.mapped.map_err(str::to_string),
        None => Err(format!("unknown fixture state `{name}`")),
    }
}

/// The status and phase of a `state_id`, for responses without the
/// `state` include.
pub fn by_id(id: u32) -> Result<(EventStatus, Phase), String> {
    match STATES.iter().find(|s| s.id == id) {
        Some(known) => known.mapped.map_err(str::to_string),
        None => Err(format!("unknown fixture state id {id}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_of_the_catalogue_maps_by_name_and_by_id_alike() {
        use EventStatus as S;
        let cases = [
            (1, "NS", Some(S::Scheduled)),
            (2, "INPLAY_1ST_HALF", Some(S::Live)),
            (3, "HT", Some(S::Halftime)),
            (4, "BREAK", Some(S::Live)),
            (5, "FT", Some(S::Finished)),
            (6, "INPLAY_ET", Some(S::Live)),
            (7, "AET", Some(S::Finished)),
            (8, "FT_PEN", Some(S::Finished)),
            (9, "INPLAY_PENALTIES", Some(S::Live)),
            (10, "POSTPONED", Some(S::Postponed)),
            (11, "SUSPENDED", Some(S::Suspended)),
            (12, "CANCELLED", Some(S::Cancelled)),
            (13, "TBA", Some(S::Scheduled)),
            (14, "WO", Some(S::Finished)),
            (15, "ABANDONED", Some(S::Abandoned)),
            (16, "DELAYED", Some(S::Scheduled)),
            (17, "AWARDED", Some(S::Finished)),
            (18, "INTERRUPTED", Some(S::Suspended)),
            (19, "AWAITING_UPDATES", None),
            (20, "DELETED", Some(S::Cancelled)),
            (21, "EXTRA_TIME_BREAK", Some(S::Live)),
            (22, "INPLAY_2ND_HALF", Some(S::Live)),
            (23, "INPLAY_ET_SECOND_HALF", Some(S::Live)),
            (25, "PEN_BREAK", Some(S::Live)),
            (26, "PENDING", None),
        ];
        assert_eq!(cases.len(), STATES.len());
        for (id, name, expected) in cases {
            let by_name = by_name(name).map(|(s, _)| s);
            assert_eq!(by_name.clone().ok(), expected, "{name}");
            assert_eq!(by_id(id).map(|(s, _)| s), by_name, "{id}");
        }
        assert_eq!(by_name("INPLAY_ET_2ND_HALF"), by_id(23));
    }

    #[test]
    fn phases_separate_what_the_scores_of_each_state_mean() {
        assert_eq!(by_id(2).map(|(_, p)| p), Ok(Phase::FirstHalf));
        assert_eq!(by_id(5).map(|(_, p)| p), Ok(Phase::RegularTimeOver));
        assert_eq!(by_id(7).map(|(_, p)| p), Ok(Phase::AfterExtraTime));
        assert_eq!(by_id(8).map(|(_, p)| p), Ok(Phase::Shootout));
        assert_eq!(by_id(17).map(|(_, p)| p), Ok(Phase::Decided));
        assert_eq!(by_id(15).map(|(_, p)| p), Ok(Phase::Stopped));
    }

    #[test]
    fn unknown_and_uninformative_states_are_refused() {
        assert_eq!(
            by_name("LIVE"),
            Err("unknown fixture state `LIVE`".to_string())
        );
        assert_eq!(by_name("ft"), Err("unknown fixture state `ft`".to_string()));
        assert_eq!(by_id(24), Err("unknown fixture state id 24".to_string()));
        assert_eq!(by_id(0), Err("unknown fixture state id 0".to_string()));
        assert!(by_id(19).is_err_and(|m| m.contains("AWAITING_UPDATES")));
        assert!(by_name("PENDING").is_err_and(|m| m.contains("PENDING")));
    }
}
