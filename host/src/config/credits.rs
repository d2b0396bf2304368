//! A provider plan's credits, written as `"N/day"` or `"N/month"`: what a
//! day of live polling may spend.

use serde::Deserialize;

/// The credits a provider's plan allows per day or per month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditBudget {
    /// How many credits (requests, for a provider counting requests).
    pub credits: u64,
    /// Per day (`true`) or per month.
    pub per_day: bool,
}

impl CreditBudget {
    /// What one day may spend: the daily allowance, or a thirtieth of the
    /// monthly one (rounded down), so that polling every match day of the
    /// month fits.
    pub fn daily(&self) -> u64 {
        if self.per_day {
            self.credits
        } else {
            self.credits / 30
        }
    }
}

impl std::str::FromStr for CreditBudget {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let expected = "expected `N/day` or `N/month`, e.g. `100/day`";
        let (count, unit) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}`: {expected}"))?;
        let credits = count
            .trim()
            .replace('_', "")
            .parse::<u64>()
            .map_err(|_| format!("`{text}`: `{count}` is not a whole number; {expected}"))?;
        let per_day = match unit.trim() {
            "d" | "day" => true,
            "month" => false,
            other => return Err(format!("`{text}`: unknown unit `{other}`; {expected}")),
        };
        Ok(CreditBudget { credits, per_day })
    }
}

impl std::fmt::Display for CreditBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if self.per_day { "day" } else { "month" };
        write!(f, "{}/{unit}", self.credits)
    }
}

impl<'de> Deserialize<'de> for CreditBudget {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_monthly_budget_is_spread_over_thirty_days() {
        let month: CreditBudget = "500/month".parse().expect("budget");
        assert_eq!(month.daily(), 16);
        let day: CreditBudget = "7_500/day".parse().expect("budget");
        assert_eq!(day.daily(), 7_500);
        assert!("100/week".parse::<CreditBudget>().is_err());
        assert!("many/day".parse::<CreditBudget>().is_err());
    }
}
