//! Simulated time: the match day runs `speed` times faster than the wall
//! clock (at 60, a 90-minute match plays in 90 s), and what the providers
//! serve moves on only every `refresh` of wall time, as a real feed's
//! cache does.

use std::time::{Duration, Instant};

/// Minutes of play in a half.
pub const HALF: f64 = 45.0;

/// Where a match stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Before kick-off.
    NotStarted,
    /// The first half, at this many minutes of play.
    FirstHalf(f64),
    /// The break.
    HalfTime,
    /// The second half, at this many minutes of play (45 to 90).
    SecondHalf(f64),
    /// Over.
    Finished,
}

impl Phase {
    /// Where a match stands `since` simulated minutes after its kick-off,
    /// with a break of `half_time` minutes.
    pub fn at(since: f64, half_time: f64) -> Phase {
        if since < 0.0 {
            Phase::NotStarted
        } else if since < HALF {
            Phase::FirstHalf(since)
        } else if since < HALF + half_time {
            Phase::HalfTime
        } else if since < 2.0 * HALF + half_time {
            Phase::SecondHalf(since - half_time)
        } else {
            Phase::Finished
        }
    }

    /// Minutes of play so far: what decides which goals and cards are in.
    pub fn play(self) -> f64 {
        match self {
            Phase::NotStarted => -1.0,
            Phase::FirstHalf(play) | Phase::SecondHalf(play) => play,
            Phase::HalfTime => HALF,
            Phase::Finished => 2.0 * HALF,
        }
    }

    /// The minute a feed shows (`elapsed`): the minute being played,
    /// 45 at half-time, 90 at full time, none before kick-off.
    pub fn elapsed(self) -> Option<u32> {
        let minute = |play: f64, last: u32| ((play.floor() as u32) + 1).min(last);
        match self {
            Phase::NotStarted => None,
            Phase::FirstHalf(play) => Some(minute(play, 45)),
            Phase::HalfTime => Some(45),
            Phase::SecondHalf(play) => Some(minute(play, 90)),
            Phase::Finished => Some(90),
        }
    }

    /// Simulated minutes after kick-off at which play reaches `minute`
    /// (the break counted).
    pub fn since_for_play(minute: f64, half_time: f64) -> f64 {
        if minute <= HALF {
            minute
        } else {
            minute + half_time
        }
    }
}

/// The simulation's clock.
#[derive(Debug, Clone)]
pub struct SimClock {
    started: Instant,
    started_unix: i64,
    speed: f64,
    refresh: Duration,
}

impl SimClock {
    /// A clock starting now, `speed` simulated seconds to the wall second,
    /// whose served state moves every `refresh` (1 ms at the least).
    pub fn start(speed: f64, refresh: Duration) -> Self {
        let started_unix = time::OffsetDateTime::now_utc().unix_timestamp();
        SimClock {
            started: Instant::now(),
            started_unix,
            speed,
            refresh: refresh.max(Duration::from_millis(1)),
        }
    }

    /// When the simulation started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The served state's number at `now`: it changes every `refresh`.
    pub fn generation(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.started);
        u64::try_from(elapsed.as_nanos() / self.refresh.as_nanos().max(1)).unwrap_or(u64::MAX)
    }

    /// Simulated minutes since the start that state `generation` shows.
    pub fn minutes_of(&self, generation: u64) -> f64 {
        generation as f64 * self.refresh.as_secs_f64() * self.speed / 60.0
    }

    /// The first generation that shows simulated minute `minutes`.
    pub fn generation_of(&self, minutes: f64) -> u64 {
        let wall_secs = minutes * 60.0 / self.speed;
        (wall_secs / self.refresh.as_secs_f64()).ceil().max(0.0) as u64
    }

    /// The wall-clock time (unix seconds) of simulated minute `minutes`.
    pub fn unix_at(&self, minutes: f64) -> i64 {
        self.started_unix + (minutes * 60.0 / self.speed).round() as i64
    }

    /// The wall-clock instant of simulated minute `minutes`.
    pub fn instant_at(&self, minutes: f64) -> Instant {
        self.started + Duration::from_secs_f64((minutes * 60.0 / self.speed).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_goes_through_its_halves_and_the_break() {
        let ht = 15.0;
        assert_eq!(Phase::at(-0.5, ht), Phase::NotStarted);
        assert_eq!(Phase::at(0.0, ht).elapsed(), Some(1));
        assert_eq!(Phase::at(35.4, ht).elapsed(), Some(36));
        assert_eq!(Phase::at(44.99, ht).elapsed(), Some(45));
        assert_eq!(Phase::at(50.0, ht), Phase::HalfTime);
        assert_eq!(Phase::at(60.0, ht), Phase::SecondHalf(45.0));
        assert_eq!(Phase::at(60.0, ht).elapsed(), Some(46));
        assert_eq!(Phase::at(104.9, ht).elapsed(), Some(90));
        assert_eq!(Phase::at(105.0, ht), Phase::Finished);
        assert_eq!(Phase::since_for_play(60.0, ht), 75.0);
        assert_eq!(Phase::since_for_play(30.0, ht), 30.0);
    }

    #[test]
    fn the_served_state_moves_every_refresh_and_maps_back_to_simulated_minutes() {
        let clock = SimClock::start(60.0, Duration::from_secs(2));
        let at = |secs: f64| clock.started() + Duration::from_secs_f64(secs);
        assert_eq!(clock.generation(at(1.9)), 0);
        assert_eq!(clock.generation(at(2.1)), 1);
        assert_eq!(clock.generation(at(7.0)), 3);
        // At 60x, a generation of 2 s is 2 simulated minutes.
        assert_eq!(clock.minutes_of(3), 6.0);
        assert_eq!(clock.generation_of(5.0), 3);
        assert_eq!(clock.generation_of(6.0), 3);
    }
}
