//! What two providers' spellings of one team have in common: names folded
//! to lower-case ASCII words, the words that only say what kind of club it
//! is dropped, and a similarity of what is left.

/// Words naming the kind of club (`FC`, `VfL`, `Calcio`) rather than the
/// club: "FC Bayern München" and "Bayern München" are one team.
const CLUB_WORDS: &[&str] = &[
    "ac", "afc", "as", "bk", "bsc", "calcio", "cd", "cf", "club", "de", "fc", "fk", "football",
    "fsv", "futbol", "ik", "nk", "rb", "rc", "rcd", "sc", "sd", "sk", "ss", "ssc", "ssv", "sv",
    "the", "tsg", "tsv", "ud", "us", "vfb", "vfl", "vfr",
];

/// Words that name a club's other side rather than the club: a reserve,
/// youth or women's team ("Borussia Dortmund II", "Real Madrid Castilla",
/// "Arsenal W"). Two names that differ in them are two teams, however
/// alike the rest.
const SIDE_WORDS: &[&str] = &[
    "ii",
    "iii",
    "b",
    "w",
    "women",
    "womens",
    "ladies",
    "feminino",
    "femenino",
    "femminile",
    "feminin",
    "frauen",
    "reserve",
    "reserves",
    "youth",
    "academy",
    "castilla",
    "primavera",
    "juniors",
    "juvenil",
];

/// Whether two team keys name the same side of a club: the same side words
/// ([`SIDE_WORDS`], and age groups such as `u21`), or none.
pub fn same_side(a: &str, b: &str) -> bool {
    side_words(a) == side_words(b)
}

/// The side words of a key, in order.
fn side_words(key: &str) -> Vec<&str> {
    key.split(' ')
        .filter(|w| {
            SIDE_WORDS.contains(w)
                || (w.len() == 3
                    && w.starts_with('u')
                    && w[1..].chars().all(|c| c.is_ascii_digit()))
        })
        .collect()
}

/// A token pair counts as the same word from this Jaro-Winkler similarity
/// up ("munchen" and "munich", "bor" and "borussia").
const SAME_WORD: f64 = 0.8;

/// `name` in lower-case ASCII words separated by one space: diacritics
/// transliterated (`ö` → `o`, `ß` → `ss`), punctuation gone.
pub fn fold(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a team's name that tell it apart: folded, without club-kind
/// words and numbers (`1.`, `04`, `1899`). A name made only of those keeps
/// all its words.
pub fn team_key(name: &str) -> String {
    let folded = fold(name);
    let kept: Vec<&str> = folded
        .split(' ')
        .filter(|w| !CLUB_WORDS.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    if kept.is_empty() {
        folded
    } else {
        kept.join(" ")
    }
}

/// How alike two keys are, from 0 to 1: each word's closest word on the
/// other side counts, weighted by its length, when the two are nearly the
/// same word. A word with no counterpart pulls the score down, so
/// "manchester united" and "manchester city" stay apart while "bayern
/// munich" and "bayern munchen" come close.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let words_a: Vec<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let words_b: Vec<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    let (matched_a, total_a) = covered(&words_a, &words_b);
    let (matched_b, total_b) = covered(&words_b, &words_a);
    let total = total_a + total_b;
    if total == 0.0 {
        return 0.0;
    }
    (matched_a + matched_b) / total
}

/// The length-weighted share of `from`'s words found in `to`.
fn covered(from: &[&str], to: &[&str]) -> (f64, f64) {
    let mut matched = 0.0;
    let mut total = 0.0;
    for word in from {
        let weight = word.len() as f64;
        total += weight;
        let best = to
            .iter()
            .map(|other| strsim::jaro_winkler(word, other))
            .fold(0.0, f64::max);
        if best >= SAME_WORD {
            matched += best * weight;
        }
    }
    (matched, total)
}

/// The year a season starts: `2023`, `2023-24`, `2023/24`, `2023-2024` all
/// give 2023. API-Football's `2023` and openfootball's `2023-24` are the
/// same season of a European league; a calendar-year league's `2023` is its
/// own year. Anything else gives none.
pub fn season_year(season: &str) -> Option<i32> {
    let season = season.trim();
    let digits: String = season.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let rest = &season[4..];
    let valid_rest = rest.is_empty()
        || (rest.len() > 1
            && matches!(rest.as_bytes()[0], b'-' | b'/')
            && rest[1..].chars().all(|c| c.is_ascii_digit())
            && matches!(rest.len() - 1, 2 | 4));
    if !valid_rest {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn club_words_numbers_diacritics_and_case_do_not_tell_teams_apart() {
        let same = [
            ("FC Bayern München", "Bayern Munchen"),
            ("1.FC Köln", "1. FC Köln"),
            ("Vfl Bochum", "VfL Bochum 1848"),
            ("FC Heidenheim", "1. FC Heidenheim 1846"),
            ("Union Berlin", "1. FC Union Berlin"),
            ("1899 Hoffenheim", "TSG 1899 Hoffenheim"),
            ("FSV Mainz 05", "1. FSV Mainz 05"),
            ("Bayer Leverkusen", "Bayer 04 Leverkusen"),
            ("Werder Bremen", "SV Werder Bremen"),
            ("Borussia Monchengladbach", "Borussia Mönchengladbach"),
            ("SV Darmstadt 98", "Darmstadt 98"),
        ];
        for (a, b) in same {
            assert_eq!(team_key(a), team_key(b), "{a} / {b}");
        }
        assert_eq!(team_key("FC"), "fc", "a name of club words only keeps them");
        assert_eq!(fold("  Atlético   de Madrid!"), "atletico de madrid");
    }

    #[test]
    fn similar_spellings_score_high_and_different_clubs_low() {
        let score = |a: &str, b: &str| similarity(&team_key(a), &team_key(b));
        assert!(score("Bayern Munich", "FC Bayern München") >= 0.85);
        assert!(score("Bor. Mönchengladbach", "Borussia Mönchengladbach") >= 0.85);
        assert!(score("Manchester United", "Manchester City") < 0.7);
        assert!(score("Real Madrid", "Real Sociedad") < 0.7);
        assert!(score("Bayern Munich", "Borussia Dortmund") < 0.3);
        assert_eq!(score("RB Leipzig", "RB Leipzig"), 1.0);
    }

    #[test]
    fn a_reserve_youth_or_womens_side_is_not_its_first_team() {
        let side = |a: &str, b: &str| same_side(&team_key(a), &team_key(b));
        assert!(side("Borussia Dortmund", "BV Borussia Dortmund 09"));
        assert!(!side("Borussia Dortmund", "Borussia Dortmund II"));
        assert!(!side("Real Madrid", "Real Madrid Castilla"));
        assert!(!side("Arsenal", "Arsenal W"));
        assert!(!side("England", "England U21"));
        assert!(side("England U21", "England U21"));
    }

    #[test]
    fn a_season_starts_in_its_first_year() {
        for (label, year) in [
            ("2023", Some(2023)),
            ("2023-24", Some(2023)),
            ("2023/24", Some(2023)),
            ("2023-2024", Some(2023)),
            (" 2024 ", Some(2024)),
            ("23/24", None),
            ("2023-", None),
            ("2023-245", None),
            ("season 2023", None),
            ("20234", None),
        ] {
            assert_eq!(season_year(label), year, "{label}");
        }
    }
}
