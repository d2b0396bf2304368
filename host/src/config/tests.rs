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
