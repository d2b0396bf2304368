//! The ground truth of a simulated match day: N matches with their goals
//! (scorer, minute, some re-timed by a minute, some ruled out by VAR) and
//! cards, all drawn from one seed, so that a run is reproducible and a
//! listener's events can be judged against what really happened.

use serde::Serialize;

/// A tiny seeded generator (xorshift64*): reproducible across platforms
/// and releases, which is all a simulation needs of it.
#[derive(Debug, Clone)]
pub struct SeededRng(u64);

impl SeededRng {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        // splitmix64 of the seed: never zero, and nearby seeds diverge.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        SeededRng((z ^ (z >> 31)) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi.saturating_sub(lo)) + 1;
        lo + u32::try_from(self.next_u64() % span).unwrap_or(0)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Which side of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The home team.
    Home,
    /// The away team.
    Away,
}

/// A team of the simulation: its API-Football id and its name, the same
/// at every provider so that resolution links them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimTeam {
    /// API-Football's id of it.
    pub id: u64,
    /// Its name.
    pub name: String,
}

/// A goal as it happened: when it was scored, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimGoal {
    /// Its number in the match, from 1.
    pub number: u32,
    /// The side it counts for.
    pub side: Side,
    /// The scorer.
    pub player: String,
    /// The minute it is first reported at.
    pub minute: u32,
    /// When it is scored, in minutes of play (just before `minute` ends).
    pub at: f64,
    /// A correction of its minute: when (minutes of play) and the minute
    /// it is reported at from then on.
    pub retimed: Option<(f64, u32)>,
    /// When VAR rules it out (minutes of play).
    pub cancelled_at: Option<f64>,
}

impl SimGoal {
    /// The minute it is reported at, at `play` minutes of play.
    pub fn minute_at(&self, play: f64) -> u32 {
        match self.retimed {
            Some((at, minute)) if play >= at => minute,
            _ => self.minute,
        }
    }

    /// Whether it stands at `play` minutes of play: scored and not ruled out.
    pub fn stands_at(&self, play: f64) -> bool {
        play >= self.at && self.cancelled_at.is_none_or(|at| play < at)
    }
}

/// A booking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimCard {
    /// The side booked.
    pub side: Side,
    /// The player booked.
    pub player: String,
    /// The minute.
    pub minute: u32,
    /// When it is shown, in minutes of play.
    pub at: f64,
    /// A red card rather than a yellow one.
    pub red: bool,
}

/// One match of the script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimMatch {
    /// API-Football's fixture id.
    pub fixture_id: u64,
    /// The Odds API's id of it (32 hex digits).
    pub odds_id: String,
    /// The home team.
    pub home: SimTeam,
    /// The away team.
    pub away: SimTeam,
    /// Kick-off, in simulated minutes after the simulation starts.
    pub kickoff: u32,
    /// Its goals, in order of play.
    pub goals: Vec<SimGoal>,
    /// Its cards, in order of play.
    pub cards: Vec<SimCard>,
}

impl SimMatch {
    /// The team of `side`.
    pub fn team(&self, side: Side) -> &SimTeam {
        match side {
            Side::Home => &self.home,
            Side::Away => &self.away,
        }
    }

    /// The goals standing at `play` minutes of play, home and away.
    pub fn score_at(&self, play: f64) -> (u32, u32) {
        let count = |side| {
            let n = self
                .goals
                .iter()
                .filter(|g| g.side == side && g.stands_at(play))
                .count();
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        (count(Side::Home), count(Side::Away))
    }
}

/// How a script is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScriptSpec {
    /// Matches.
    pub matches: u32,
    /// The seed everything is drawn from.
    pub seed: u64,
    /// Kick-offs are spread over this many simulated minutes from the start.
    pub stagger: u32,
}

/// Chance of a goal in a minute of play: about 2.7 a match.
const GOAL_PER_MINUTE: f64 = 0.03;
/// Chance of a card in a minute of play: about 3.6 a match.
const CARD_PER_MINUTE: f64 = 0.04;
/// Chance that a goal is ruled out by VAR, some minutes later.
const VAR_CANCELLED: f64 = 0.12;
/// Chance that a goal that stands is re-timed by a minute, some minutes later.
const RETIMED: f64 = 0.12;

/// Syllables team and player names are made of: distinct names that no
/// resolution takes for each other.
const STARTS: [&str; 20] = [
    "Al", "Bel", "Cor", "Dun", "El", "Fen", "Gar", "Hol", "Ir", "Jas", "Kel", "Lor", "Mar", "Nor",
    "Os", "Pen", "Quin", "Ros", "Sal", "Tor",
];
const MIDDLES: [&str; 10] = [
    "a", "ber", "cas", "den", "e", "fal", "gan", "i", "mon", "ro",
];
const ENDS: [&str; 10] = [
    "ford", "ham", "ton", "wick", "bury", "mouth", "field", "stead", "by", "worth",
];
const SURNAMES: [&str; 16] = [
    "Adeyemi", "Brandt", "Costa", "Dalot", "Eze", "Fofana", "Gomes", "Havertz", "Isak", "Jovic",
    "Kane", "Lukaku", "Mount", "Nunez", "Olise", "Pedri",
];

/// The `n`th team name: unique for the first 4,000.
fn team_name(n: u32) -> String {
    let n = n as usize;
    let start = STARTS[n % STARTS.len()];
    let middle = MIDDLES[(n / STARTS.len()) % MIDDLES.len()];
    let end = ENDS[(n / (STARTS.len() * MIDDLES.len())) % ENDS.len()];
    let lap = n / (STARTS.len() * MIDDLES.len() * ENDS.len());
    let name = format!("{start}{middle}{end}");
    if lap == 0 {
        name
    } else {
        format!(
            "{name} {}",
            ["Athletic", "Rovers", "Albion", "Wanderers"][(lap - 1) % 4]
        )
    }
}

/// Draws the script of `spec`.
pub fn draw(spec: &ScriptSpec) -> Vec<SimMatch> {
    let mut rng = SeededRng::new(spec.seed);
    (0..spec.matches)
        .map(|i| {
            let team = |n: u32| SimTeam {
                id: 90_000 + u64::from(n),
                name: team_name(n),
            };
            let (home, away) = (team(2 * i), team(2 * i + 1));
            let kickoff = if spec.stagger == 0 {
                0
            } else {
                rng.between(0, spec.stagger - 1)
            };
            let odds_id = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
            let (goals, cards) = play(&mut rng, &home, &away);
            SimMatch {
                fixture_id: 7_000_000 + u64::from(i),
                odds_id,
                home,
                away,
                kickoff,
                goals,
                cards,
            }
        })
        .collect()
}

/// A player of `team`: one of a few surnames with the team's initial.
fn player(rng: &mut SeededRng, team: &SimTeam) -> String {
    let surname = SURNAMES[rng.between(0, SURNAMES.len() as u32 - 1) as usize];
    format!("{}. {surname}", team.name.chars().next().unwrap_or('X'))
}

/// Ninety minutes of one match: its goals and cards.
fn play(rng: &mut SeededRng, home: &SimTeam, away: &SimTeam) -> (Vec<SimGoal>, Vec<SimCard>) {
    let mut goals: Vec<SimGoal> = Vec::new();
    let mut cards = Vec::new();
    for minute in 1..=90u32 {
        // Within the minute: 0.1 to 0.9 of it.
        let at = f64::from(minute - 1) + 0.1 + 0.8 * rng.unit();
        if rng.chance(GOAL_PER_MINUTE) {
            let side = if rng.chance(0.5) {
                Side::Home
            } else {
                Side::Away
            };
            let team = if side == Side::Home { home } else { away };
            let number = u32::try_from(goals.len()).unwrap_or(u32::MAX) + 1;
            let mut goal = SimGoal {
                number,
                side,
                player: player(rng, team),
                minute,
                at,
                retimed: None,
                cancelled_at: None,
            };
            let later = f64::from(rng.between(3, 5));
            if rng.chance(VAR_CANCELLED) {
                goal.cancelled_at = Some(at + later).filter(|t| *t < 90.0);
            } else if rng.chance(RETIMED) {
                let minute = if minute < 90 { minute + 1 } else { minute - 1 };
                goal.retimed = Some((at + later, minute)).filter(|(t, _)| *t < 90.0);
            }
            goals.push(goal);
        } else if rng.chance(CARD_PER_MINUTE) {
            let side = if rng.chance(0.5) {
                Side::Home
            } else {
                Side::Away
            };
            let team = if side == Side::Home { home } else { away };
            cards.push(SimCard {
                side,
                player: player(rng, team),
                minute,
                at,
                red: rng.chance(0.08),
            });
        }
    }
    // A provider that gives only the score rules out its side's latest
    // goal: a goal ruled out after another of its side was scored would be
    // told as the wrong one, so VAR decides before the next goal.
    for i in 0..goals.len() {
        if let Some(cancelled) = goals[i].cancelled_at {
            let side = goals[i].side;
            let overtaken = goals[i + 1..]
                .iter()
                .any(|g| g.side == side && g.at <= cancelled);
            if overtaken {
                goals[i].cancelled_at = None;
            }
        }
    }
    (goals, cards)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(seed: u64) -> ScriptSpec {
        ScriptSpec {
            matches: 200,
            seed,
            stagger: 30,
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_day_and_another_seed_another() {
        assert_eq!(draw(&spec(7)), draw(&spec(7)));
        assert_ne!(draw(&spec(7)), draw(&spec(8)));
    }

    #[test]
    fn a_day_has_goals_ruled_out_re_timed_and_cards_and_unique_team_names() {
        let day = draw(&spec(7));
        let goals: Vec<&SimGoal> = day.iter().flat_map(|m| &m.goals).collect();
        let per_match = goals.len() as f64 / day.len() as f64;
        assert!((2.0..3.5).contains(&per_match), "{per_match} goals a match");
        assert!(goals.iter().any(|g| g.cancelled_at.is_some()));
        assert!(goals.iter().any(|g| g.retimed.is_some()));
        assert!(day.iter().any(|m| !m.cards.is_empty()));
        let mut names: Vec<&str> = day
            .iter()
            .flat_map(|m| [m.home.name.as_str(), m.away.name.as_str()])
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 400);
        assert!(day.iter().all(|m| m.kickoff < 30));
    }

    #[test]
    fn a_goal_ruled_out_is_its_sides_latest_when_it_goes() {
        for m in draw(&spec(3)) {
            for goal in m.goals.iter().filter(|g| g.cancelled_at.is_some()) {
                let gone = goal.cancelled_at.unwrap_or_default();
                assert!(gone - goal.at > 2.99);
                assert!(
                    !m.goals
                        .iter()
                        .any(|g| g.side == goal.side && g.at > goal.at && g.at <= gone)
                );
            }
        }
    }

    #[test]
    fn the_score_counts_the_goals_that_stand() {
        let m = draw(&spec(11))
            .into_iter()
            .find(|m| m.goals.iter().any(|g| g.cancelled_at.is_some()))
            .expect("a match with a goal ruled out");
        let goal = m
            .goals
            .iter()
            .find(|g| g.cancelled_at.is_some())
            .expect("ruled out");
        let gone = goal.cancelled_at.unwrap_or_default();
        let total = |(h, a): (u32, u32)| h + a;
        assert_eq!(total(m.score_at(gone - 1e-9)), total(m.score_at(gone)) + 1);
    }
}
