use std::path::PathBuf;

use super::*;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn scratch_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

fn sqlite_in(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}/pagepulse.db?mode=rwc", dir.path().display())
}

#[test]
fn zero_configuration_gives_the_documented_defaults() {
    let dir = scratch_dir();
    let config = Config::from_vars(&vars(&[("DATABASE_URL", &sqlite_in(&dir))])).unwrap();
    assert_eq!(config.app_name, "PagePulse");
    assert_eq!(config.app_env, AppEnv::Development);
    assert_eq!(config.port, 8000);
    assert_eq!(config.listen_addr().to_string(), "0.0.0.0:8000");
    assert_eq!(config.base_url, "http://localhost:8000");
    assert_eq!(config.jwt_access_token_expire_minutes, 1440);
    assert_eq!(config.event_rate_limit_per_minute, 60);
    assert!(!config.disable_registration);
    assert_eq!(
        config.raw_event_retention_days, None,
        "raw events kept forever"
    );
    assert!(!config.debug);
    // Loopback only: a private-range neighbour is not believed by default.
    assert!(
        config
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&"127.0.0.1".parse::<IpAddr>().unwrap()))
    );
    assert!(
        !config
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&"10.1.2.3".parse::<IpAddr>().unwrap()))
    );
    assert_eq!(config.limits.registrations_per_hour, 10);
    assert_eq!(config.limits.public_reads_per_minute, 120);
    assert_eq!(config.limits.sign_ins_per_minute, 5);
    assert_eq!(config.connections.head_timeout.as_secs(), 30);
    assert_eq!(config.connections.request_timeout.as_secs(), 60);
    assert_eq!(config.connections.idle_timeout.as_secs(), 75);
    assert!(
        !config
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&"8.8.8.8".parse::<IpAddr>().unwrap()))
    );
}

#[test]
fn the_default_database_is_the_sqlite_file_in_the_working_directory() {
    assert_eq!(DEFAULT_DATABASE_URL, "sqlite://./pagepulse.db?mode=rwc");
    assert_eq!(db::data_dir(DEFAULT_DATABASE_URL), PathBuf::from("."));
}

#[test]
fn development_secrets_are_generated_once_and_kept_beside_the_database() {
    let dir = scratch_dir();
    let env = vars(&[("DATABASE_URL", &sqlite_in(&dir))]);
    let first = Config::from_vars(&env).unwrap();
    assert_eq!(first.secret_key.len(), 64);
    assert_ne!(first.secret_key, first.jwt_secret_key);
    let file = dir.path().join(SECRETS_FILE);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&first.secret_key));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "secrets file must be private, mode {mode:o}"
        );
    }
    let second = Config::from_vars(&env).unwrap();
    assert_eq!(second.secret_key, first.secret_key);
    assert_eq!(second.jwt_secret_key, first.jwt_secret_key);
}

#[test]
fn processes_starting_together_agree_on_the_development_secrets() {
    for _ in 0..20 {
        let dir = scratch_dir();
        let env = vars(&[("DATABASE_URL", &sqlite_in(&dir))]);
        let keys: Vec<String> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| Config::from_vars(&env).map(|c| c.secret_key)))
                .collect();
            starts
                .into_iter()
                .map(|s| s.join().unwrap().unwrap())
                .collect()
        });
        assert!(
            keys.iter().all(|k| *k == keys[0] && k.len() == 64),
            "{keys:?}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from(SECRETS_FILE)],
            "no drafts left behind"
        );
    }
}

#[test]
fn explicit_secrets_win_over_the_generated_file() {
    let dir = scratch_dir();
    let config = Config::from_vars(&vars(&[
        ("DATABASE_URL", &sqlite_in(&dir)),
        ("SECRET_KEY", "dev-secret"),
        ("JWT_SECRET_KEY", "dev-jwt"),
    ]))
    .unwrap();
    assert_eq!(config.secret_key, "dev-secret");
    assert!(!dir.path().join(SECRETS_FILE).exists());
}

#[test]
fn production_refuses_missing_or_short_secrets_naming_the_variable() {
    let dir = scratch_dir();
    let db = sqlite_in(&dir);
    let long = "x".repeat(32);
    let missing = Config::from_vars(&vars(&[("APP_ENV", "production"), ("DATABASE_URL", &db)]));
    assert_eq!(
        missing.unwrap_err(),
        ConfigError::WeakSecret { var: "SECRET_KEY" }
    );
    let short_jwt = Config::from_vars(&vars(&[
        ("APP_ENV", "production"),
        ("DATABASE_URL", &db),
        ("SECRET_KEY", &long),
        ("JWT_SECRET_KEY", "too-short"),
    ]));
    let err = short_jwt.unwrap_err();
    assert_eq!(
        err,
        ConfigError::WeakSecret {
            var: "JWT_SECRET_KEY"
        }
    );
    assert_eq!(
        err.to_string(),
        "JWT_SECRET_KEY must be set to at least 32 characters when APP_ENV=production"
    );
    let ok = Config::from_vars(&vars(&[
        ("APP_ENV", "production"),
        ("DATABASE_URL", &db),
        ("SECRET_KEY", &long),
        ("JWT_SECRET_KEY", &long),
    ]))
    .unwrap();
    assert!(ok.is_production());
    assert!(
        !dir.path().join(SECRETS_FILE).exists(),
        "production never writes secrets"
    );
}

#[test]
fn bad_values_are_one_line_errors_naming_the_variable() {
    let dir = scratch_dir();
    let db = sqlite_in(&dir);
    let cases = [
        ("PORT", "eighty", "invalid PORT"),
        ("PORT", "70000", "invalid PORT"),
        ("HOST", "not-an-ip", "invalid HOST"),
        ("APP_ENV", "staging", "invalid APP_ENV"),
        ("JWT_ALGORITHM", "none", "invalid JWT_ALGORITHM"),
        ("DEBUG", "maybe", "invalid DEBUG"),
        (
            "TRUSTED_PROXIES",
            "10.0.0.0/8, nonsense",
            "invalid TRUSTED_PROXIES",
        ),
        (
            "EVENT_RATE_LIMIT_PER_MINUTE",
            "0",
            "invalid EVENT_RATE_LIMIT_PER_MINUTE",
        ),
        (
            "DATABASE_URL",
            "mysql://root@localhost/x",
            "invalid DATABASE_URL",
        ),
        ("BASE_URL", "ftp://example.com", "invalid BASE_URL"),
        (
            "RAW_EVENT_RETENTION_DAYS",
            "0",
            "invalid RAW_EVENT_RETENTION_DAYS",
        ),
        (
            "RAW_EVENT_RETENTION_DAYS",
            "a year",
            "invalid RAW_EVENT_RETENTION_DAYS",
        ),
        ("LOG_FORMAT", "yaml", "invalid LOG_FORMAT"),
    ];
    for (var, value, expected) in cases {
        let mut env = vars(&[("DATABASE_URL", &db)]);
        env.insert(var.to_owned(), value.to_owned());
        let err = Config::from_vars(&env).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{var}={value}: {err}");
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn lists_and_flags_are_parsed() {
    let dir = scratch_dir();
    let config = Config::from_vars(&vars(&[
        ("DATABASE_URL", &sqlite_in(&dir)),
        ("TRUSTED_PROXIES", "203.0.113.0/24, 2001:db8::1"),
        ("DISABLE_REGISTRATION", "true"),
        ("DEBUG", "1"),
        ("BASE_URL", "https://stats.example.com/"),
        ("HOST", "127.0.0.1"),
        ("PORT", "9000"),
        ("RAW_EVENT_RETENTION_DAYS", "400"),
    ]))
    .unwrap();
    assert_eq!(config.raw_event_retention_days, Some(400));
    assert_eq!(config.trusted_proxies.len(), 2);
    assert!(config.trusted_proxies[0].contains(&"203.0.113.9".parse::<IpAddr>().unwrap()));
    assert!(config.trusted_proxies[1].contains(&"2001:db8::1".parse::<IpAddr>().unwrap()));
    assert!(config.disable_registration && config.debug);
    assert_eq!(config.base_url, "https://stats.example.com");
    assert_eq!(config.listen_addr().to_string(), "127.0.0.1:9000");
}

#[test]
fn log_format_is_text_unless_json_is_asked_for() {
    let dir = scratch_dir();
    let db = sqlite_in(&dir);
    let format = |value: Option<&str>| {
        let mut env = vars(&[("DATABASE_URL", &db)]);
        if let Some(value) = value {
            env.insert("LOG_FORMAT".into(), value.into());
        }
        Config::from_vars(&env).unwrap().log_format
    };
    assert_eq!(format(None), LogFormat::Text);
    assert_eq!(format(Some("text")), LogFormat::Text);
    assert_eq!(format(Some("json")), LogFormat::Json);
    let env = vars(&[("DATABASE_URL", &db), ("LOG_FORMAT", "JSON-ish")]);
    let err = Config::from_vars(&env).unwrap_err().to_string();
    assert_eq!(
        err,
        r#"invalid LOG_FORMAT: "JSON-ish" (expected text or json)"#
    );
}

#[test]
fn development_defaults_on_the_network_are_warned_about() {
    let dir = scratch_dir();
    let db = sqlite_in(&dir);
    let warning = |pairs: &[(&str, &str)]| {
        let mut env = vars(&[
            ("DATABASE_URL", &db),
            ("SECRET_KEY", "production-secret-key-long-enough-0000"),
            ("JWT_SECRET_KEY", "production-jwt-secret-long-enough-00000"),
        ]);
        for (k, v) in pairs {
            env.insert((*k).into(), (*v).into());
        }
        Config::from_vars(&env).unwrap().development_warning()
    };
    let by_default = warning(&[]).expect("the default HOST is 0.0.0.0");
    assert!(by_default.contains("HOST=0.0.0.0"), "{by_default}");
    assert!(by_default.contains("development defaults"), "{by_default}");
    assert!(by_default.contains("APP_ENV=production"), "{by_default}");
    assert!(!by_default.contains('\n'));
    assert!(warning(&[("HOST", "192.168.1.10")]).is_some());
    assert!(warning(&[("HOST", "::")]).is_some());
    assert!(warning(&[("APP_ENV", "development")]).is_some());
    assert_eq!(warning(&[("HOST", "127.0.0.1")]), None);
    assert_eq!(warning(&[("HOST", "::1")]), None);
    assert_eq!(warning(&[("APP_ENV", "production")]), None);
}
