//! Alerts: conditions evaluated from the stored state of runs, streams,
//! quotas, breakers and plugins, sent through Slack, webhook and SMTP
//! channels once per condition until it clears.
