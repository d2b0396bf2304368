//! The `team` stream: one team record per `lookupteam.php` item.

use serde_json::value::RawValue;
use sluice_plugin_sdk::{Batch, Record, Reject, Team};

use crate::events::raw_id;
use crate::wire::TeamItem;

/// Team records from the items of a `teams` list; an item that is not a
/// team (no id or name, a founding year that is not a year) is rejected
/// with its raw JSON.
pub fn normalize(items: &[&RawValue]) -> Batch {
    let mut batch = Batch::of(Vec::with_capacity(items.len()));
    for raw in items {
        let converted = serde_json::from_str::<TeamItem>(raw.get())
            .map_err(|e| format!("team is not of the expected shape: {e}"))
            .and_then(team);
        match converted {
            Ok(team) => batch.records.push(Record::Team(team)),
            Err(reason) => batch.rejects.push(Reject {
                provider_id: raw_id(raw.get(), "idTeam"),
                reason,
                raw: raw.get().to_string(),
            }),
        }
    }
    batch
}

/// One item as a canonical team. `strTeamShort` is TheSportsDB's short
/// code (`ARS`), so it is the team's code; `strBadge` is the crest, or
/// `strTeamBadge` in older responses.
fn team(item: TeamItem) -> Result<Team, String> {
    let provider_id = item.id.ok_or("team has no `idTeam`")?;
    let name = item.name.ok_or("team has no `strTeam`")?;
    Ok(Team {
        provider_id,
        name,
        short_name: None,
        code: item.short,
        country: item.country,
        founded: founded(item.formed_year.as_deref())?,
        venue: item.stadium,
        crest_url: item.badge.or(item.team_badge),
    })
}

/// `intFormedYear`: a year, with `0` for "not known".
fn founded(year: Option<&str>) -> Result<Option<i32>, String> {
    let Some(text) = year else {
        return Ok(None);
    };
    match text.trim().parse::<i32>() {
        Ok(0) => Ok(None),
        Ok(year) if (1000..=9999).contains(&year) => Ok(Some(year)),
        _ => Err(format!("`intFormedYear` is `{text}`, not a year")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_items(json: &str) -> Vec<&RawValue> {
        serde_json::from_str(json).expect("list")
    }

    #[test]
    fn a_team_keeps_its_code_country_founding_ground_and_badge() {
        let items = raw_items(
            r#"[{"idTeam":"600001","strTeam":"Northbridge Rovers","strTeamShort":"NBR","intFormedYear":"1899","strStadium":"North Park","strBadge":"https://x/b.png","strCountry":"Testland"},
                {"idTeam":"600002","strTeam":"Eastholm","strTeamShort":"","intFormedYear":"0","strStadium":null,"strTeamBadge":"https://x/old.png"}]"#,
        );
        let batch = normalize(&items);
        assert!(batch.rejects.is_empty(), "{:?}", batch.rejects);
        assert_eq!(
            batch.records,
            vec![
                Record::Team(Team {
                    provider_id: "600001".to_string(),
                    name: "Northbridge Rovers".to_string(),
                    short_name: None,
                    code: Some("NBR".to_string()),
                    country: Some("Testland".to_string()),
                    founded: Some(1899),
                    venue: Some("North Park".to_string()),
                    crest_url: Some("https://x/b.png".to_string()),
                }),
                Record::Team(Team {
                    provider_id: "600002".to_string(),
                    name: "Eastholm".to_string(),
                    short_name: None,
                    code: None,
                    country: None,
                    founded: None,
                    venue: None,
                    crest_url: Some("https://x/old.png".to_string()),
                }),
            ]
        );
    }

    #[test]
    fn a_team_without_id_or_name_or_with_a_bad_year_is_rejected() {
        let items = raw_items(
            r#"[{"idTeam":"1","strTeam":null},{"strTeam":"Nobody"},{"idTeam":"3","strTeam":"Odd","intFormedYear":"circa 1900"}]"#,
        );
        let batch = normalize(&items);
        assert!(batch.records.is_empty());
        let reasons: Vec<(Option<&str>, &str)> = batch
            .rejects
            .iter()
            .map(|r| (r.provider_id.as_deref(), r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (Some("1"), "team has no `strTeam`"),
                (None, "team has no `idTeam`"),
                (Some("3"), "`intFormedYear` is `circa 1900`, not a year"),
            ]
        );
    }
}
