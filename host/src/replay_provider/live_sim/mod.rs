//! A live match day for the replay provider: N simulated matches played
//! from a seeded script on a fast clock, served as two real providers'
//! in-play feeds (API-Football `GET /fixtures?live=all`, The Odds API
//! `GET /v4/sports/{sport}/scores`), with faults (a provider that freezes
//! or fails from a minute of play) and the ground truth at
//! `GET /_sim/truth`, so a live pipeline's events can be judged against
//! what really happened. `sluice replay-provider --live-sim SPEC` runs it.

mod clock;
mod render_api_football;
mod render_the_odds_api;
mod script;
mod serve;
mod spec;
mod truth;

pub use clock::{Phase, SimClock};
pub use script::{ScriptSpec, SeededRng, Side, SimCard, SimGoal, SimMatch, SimTeam};
pub use serve::serve;
pub use spec::{LiveSimSpec, SimFault, SimProvider, SpecError};
pub use truth::{Truth, TruthEvent, TruthKind};

use std::sync::Mutex;
use std::time::Instant;

/// One response served, as the simulator logs it: what a latency is
/// counted from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServedResponse {
    /// Which provider's rendering.
    pub provider: SimProvider,
    /// The state it showed.
    pub generation: u64,
    /// When it was handed to the connection.
    pub at: Instant,
}

/// A running simulation: the script, its clock and faults, and the log of
/// what was served.
pub struct LiveSim {
    spec: LiveSimSpec,
    matches: Vec<SimMatch>,
    clock: SimClock,
    truth: Vec<TruthEvent>,
    served: Mutex<Vec<ServedResponse>>,
}

impl LiveSim {
    /// Draws the day of `spec` and starts its clock now.
    pub fn start(spec: LiveSimSpec) -> Self {
        let matches = script::draw(&ScriptSpec {
            matches: spec.matches,
            seed: spec.seed,
            stagger: spec.stagger,
        });
        let clock = SimClock::start(spec.speed, spec.refresh);
        let truth = truth::events_of(&matches, &clock, f64::from(spec.half_time));
        LiveSim {
            spec,
            matches,
            clock,
            truth,
            served: Mutex::new(Vec::new()),
        }
    }

    /// Its settings.
    pub fn spec(&self) -> &LiveSimSpec {
        &self.spec
    }

    /// The matches of the day.
    pub fn matches(&self) -> &[SimMatch] {
        &self.matches
    }

    /// Its clock.
    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    /// Every event of the day, in order of simulated time.
    pub fn truth(&self) -> &[TruthEvent] {
        &self.truth
    }

    /// The truth up to what is served at `now`.
    pub fn truth_at(&self, now: Instant) -> Truth {
        let generation = self.clock.generation(now);
        let minutes = self.clock.minutes_of(generation);
        Truth {
            generation,
            minutes,
            over: self.over_at(minutes),
            events: self
                .truth
                .iter()
                .filter(|e| e.sim_minute <= minutes)
                .cloned()
                .collect(),
        }
    }

    /// Whether every match is over at simulated minute `minutes`.
    pub fn over_at(&self, minutes: f64) -> bool {
        let ht = f64::from(self.spec.half_time);
        self.matches
            .iter()
            .all(|m| Phase::at(minutes - f64::from(m.kickoff), ht) == Phase::Finished)
    }

    /// Where match `m` stands in `provider`'s feed at `generation`: the
    /// simulated state, stopped at the minute a freeze of that provider
    /// names.
    pub fn phase_of(&self, m: &SimMatch, provider: SimProvider, generation: u64) -> Phase {
        let ht = f64::from(self.spec.half_time);
        let mut since = self.clock.minutes_of(generation) - f64::from(m.kickoff);
        for fault in &self.spec.faults {
            if let SimFault::Freeze(p, minute) = *fault
                && p == provider
            {
                // Just before the minute ends: the feed says `minute`.
                let frozen = Phase::since_for_play(f64::from(minute), ht) - 1e-6;
                since = since.min(frozen);
            }
        }
        Phase::at(since, ht)
    }

    /// Whether `provider` answers 500 at `generation`: a fail fault whose
    /// minute the first match to kick off has reached.
    pub fn failing(&self, provider: SimProvider, generation: u64) -> bool {
        let ht = f64::from(self.spec.half_time);
        let first = self.matches.iter().map(|m| m.kickoff).min().unwrap_or(0);
        let since = self.clock.minutes_of(generation) - f64::from(first);
        self.spec.faults.iter().any(|fault| {
            matches!(*fault, SimFault::Fail(p, minute)
                if p == provider && since >= Phase::since_for_play(f64::from(minute), ht))
        })
    }

    /// Logs a response of `provider` showing `generation` handed over now.
    pub fn log_served(&self, provider: SimProvider, generation: u64) {
        self.lock_served().push(ServedResponse {
            provider,
            generation,
            at: Instant::now(),
        });
    }

    /// Every response served so far, oldest first.
    pub fn served(&self) -> Vec<ServedResponse> {
        self.lock_served().clone()
    }

    fn lock_served(&self) -> std::sync::MutexGuard<'_, Vec<ServedResponse>> {
        self.served.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `unix` seconds as `2025-05-13T13:00:00` (UTC, no offset).
pub(crate) fn utc_seconds(unix: i64) -> String {
    let at =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sim(faults: &str) -> LiveSim {
        let spec = format!("matches=3,seed=5,speed=60,refresh=1s,half_time=15{faults}");
        LiveSim::start(spec.parse().expect("spec"))
    }

    #[test]
    fn a_frozen_provider_stops_at_its_minute_while_the_other_goes_on() {
        let sim = sim(",freeze=api-football@60");
        let m = &sim.matches()[0];
        // 80 simulated minutes in: 65 minutes of play.
        let generation = sim.clock().generation_of(80.0);
        let frozen = sim.phase_of(m, SimProvider::ApiFootball, generation);
        let going = sim.phase_of(m, SimProvider::TheOddsApi, generation);
        assert_eq!(frozen.elapsed(), Some(60));
        assert_eq!(going.elapsed(), Some(66));
        // Before the minute, both say the same.
        let early = sim.clock().generation_of(30.0);
        assert_eq!(
            sim.phase_of(m, SimProvider::ApiFootball, early),
            sim.phase_of(m, SimProvider::TheOddsApi, early)
        );
    }

    #[test]
    fn a_failing_provider_fails_from_its_minute() {
        let sim = sim(",fail=the-odds-api@70");
        let before = sim.clock().generation_of(84.0);
        let after = sim.clock().generation_of(85.0);
        assert!(!sim.failing(SimProvider::TheOddsApi, before));
        assert!(sim.failing(SimProvider::TheOddsApi, after));
        assert!(!sim.failing(SimProvider::ApiFootball, after));
    }

    #[test]
    fn the_truth_so_far_grows_with_the_clock() {
        let sim = sim("");
        let start = sim.clock().started();
        let early = sim.truth_at(start);
        let late = sim.truth_at(start + Duration::from_secs(200));
        assert!(early.events.is_empty());
        assert!(!early.over && late.over);
        assert_eq!(late.events.len(), sim.truth().len());
    }
}
