use super::*;

const GOOD: &str = r#"
database = "sqlite://sluice.db"
plugin_dir = "target/plugins"
[providers.football-data]
plugin = "football-data"
base_url = "https://api.football-data.org"
token_env = "FOOTBALL_DATA_TOKEN"
rate_limit = "10/min"
[[pipelines.europe.streams]]
provider = "football-data"
stream = "matches"
params = { competition = "CL", season = 2022 }
"#;

fn parse(text: &str) -> Result<LoadedConfig, ConfigError> {
    LoadedConfig::parse(Path::new("conf/sluice.toml"), text)
}

#[test]
fn the_documented_shape_parses() {
    let loaded = parse(GOOD).expect("valid config");
    let provider = &loaded.config.providers["football-data"];
    assert_eq!(provider.rate_limit.0.len(), 1);
    let stream = &loaded.pipeline("europe").expect("pipeline").streams[0];
    assert_eq!(
        stream.param_pairs(),
        vec![
            ("competition".to_string(), "CL".to_string()),
            ("season".to_string(), "2022".to_string())
        ]
    );
    assert_eq!(loaded.plugin_dir(), PathBuf::from("conf/target/plugins"));
    assert_eq!(loaded.database(None), "sqlite://sluice.db");
    assert_eq!(loaded.database(Some("sqlite://x.db")), "sqlite://x.db");
}

#[test]
fn a_misspelt_key_names_file_line_and_key() {
    let err = parse(&GOOD.replace("token_env", "tokenenv"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.starts_with("config conf/sluice.toml: line 7"), "{err}");
    assert!(err.contains("unknown field `tokenenv`"), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
}

#[test]
fn an_unknown_provider_is_named_with_the_known_ones() {
    let err = parse(&GOOD.replace("provider = \"football-data\"", "provider = \"fd\""))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        err,
        "config conf/sluice.toml: pipelines.europe.streams[0].provider: unknown provider `fd` (defined in [providers]: football-data)"
    );
}

#[test]
fn a_bad_rate_or_url_says_what_is_expected() {
    let err = parse(&GOOD.replace("10/min", "10 per minute"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("expected `N/unit`"), "{err}");
    let err = parse(&GOOD.replace("https://api.football-data.org", "api.football-data.org"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("providers.football-data.base_url"), "{err}");
}

#[test]
fn an_unknown_pipeline_lists_the_defined_ones() {
    let loaded = parse(GOOD).expect("valid config");
    let err = loaded
        .pipeline("asia")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.ends_with("pipelines.asia: no such pipeline (defined: europe)"),
        "{err}"
    );
}

#[test]
fn concurrency_defaults_and_is_bounded() {
    let loaded = parse(GOOD).expect("valid config");
    assert_eq!(
        loaded.pipeline("europe").expect("pipeline").concurrency,
        DEFAULT_CONCURRENCY
    );
    let one = GOOD.replace(
        "[[pipelines.europe.streams]]",
        "[pipelines.europe]\nconcurrency = 1\n[[pipelines.europe.streams]]",
    );
    let loaded = parse(&one).expect("valid config");
    assert_eq!(loaded.pipeline("europe").expect("pipeline").concurrency, 1);
    for bad in ["0", "65"] {
        let err = parse(&one.replace("concurrency = 1", &format!("concurrency = {bad}")))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            err,
            format!(
                "config conf/sluice.toml: pipelines.europe.concurrency: expected 1 to 64 streams at once, got {bad}"
            )
        );
    }
    let err = parse(&one.replace("concurrency = 1", "concurrency = -1"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("config conf/sluice.toml: line 10, column 15:") && err.contains("`-1`"),
        "{err}"
    );
}

/// `GOOD` with `schedule` (TOML) on the pipeline.
fn scheduled(schedule: &str) -> Result<LoadedConfig, ConfigError> {
    parse(&GOOD.replace(
        "[[pipelines.europe.streams]]",
        &format!("[pipelines.europe]\nschedule = {schedule}\n\n[[pipelines.europe.streams]]"),
    ))
}

fn schedule_of(loaded: &LoadedConfig) -> &Schedule {
    loaded.config.pipelines["europe"]
        .schedule
        .as_ref()
        .expect("a schedule")
}

#[test]
fn a_schedule_is_an_interval_or_a_cron_expression_in_a_time_zone() {
    for written in ["\"5m\"", "{ every = \"5m\" }"] {
        let loaded = scheduled(written).expect(written);
        assert!(matches!(schedule_of(&loaded), Schedule::Every(d) if d.as_secs() == 300));
        assert_eq!(schedule_of(&loaded).next_after_ms(1_000), Some(301_000));
    }
    let loaded =
        scheduled("{ cron = \"0 30 9 * * *\", timezone = \"Europe/London\" }").expect("cron");
    let schedule = schedule_of(&loaded);
    assert_eq!(schedule.describe(), "cron 0 30 9 * * * Europe/London");
    // 09:30 in London is 08:30 UTC in summer and 09:30 UTC in winter.
    let summer = 1_751_328_000_000; // 2025-07-01T00:00:00Z
    let winter = 1_735_689_600_000; // 2025-01-01T00:00:00Z
    assert_eq!(
        schedule.next_after_ms(summer),
        Some(summer + 8 * 3_600_000 + 1_800_000)
    );
    assert_eq!(
        schedule.next_after_ms(winter),
        Some(winter + 9 * 3_600_000 + 1_800_000)
    );
}

#[test]
fn a_bad_schedule_says_what_to_write() {
    let message = |written: &str| match scheduled(written) {
        Ok(_) => panic!("{written} was accepted"),
        Err(error) => error.to_string(),
    };
    let bad_cron = message("{ cron = \"every five minutes\" }");
    assert!(bad_cron.contains("is not a cron expression"), "{bad_cron}");
    assert!(bad_cron.contains("line 10"), "{bad_cron}");
    let bad_zone = message("{ cron = \"0 * * * * *\", timezone = \"Mars/Olympus\" }");
    assert!(
        bad_zone.contains("`Mars/Olympus` is not a time zone"),
        "{bad_zone}"
    );
    let both = message("{ every = \"5m\", cron = \"0 * * * * *\" }");
    assert!(both.contains("exactly one of `every` and `cron`"), "{both}");
    let zero = message("{ every = \"0s\" }");
    assert!(zero.contains("longer than 0s"), "{zero}");
    let neither = message("42");
    assert!(neither.contains("expected a duration"), "{neither}");
}

#[test]
fn serve_settings_default_to_loopback_read_only_and_30s_of_grace() {
    let loaded = parse(GOOD).expect("valid");
    let serve = &loaded.config.serve;
    assert_eq!(serve.listen, None);
    assert_eq!(serve.admin_token_env, None);
    assert_eq!(serve.grace_period.0.as_secs(), 30);
}

#[test]
fn a_live_schedule_has_a_cadence_and_a_lead() {
    let loaded = scheduled("{ live = \"30s\", lead = \"10m\" }").expect("live");
    assert!(matches!(
        schedule_of(&loaded),
        Schedule::Live { every, lead } if every.as_secs() == 30 && lead.as_secs() == 600
    ));
    let loaded = scheduled("{ live = \"30s\" }").expect("live");
    assert!(matches!(schedule_of(&loaded), Schedule::Live { lead, .. } if lead.as_secs() == 900));
    for (written, says) in [
        (
            "{ live = \"30s\", every = \"1m\" }",
            "`live` and `lead` only",
        ),
        (
            "{ every = \"1m\", lead = \"5m\" }",
            "`lead` goes with `live`",
        ),
        ("{ live = \"0s\" }", "longer than 0s"),
    ] {
        let message = scheduled(written)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains(says), "{written}: {message}");
    }
}
