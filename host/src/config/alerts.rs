//! `[alerts]`: the conditions worth telling someone about and the channels
//! they are sent through.

use serde::Deserialize;

/// `[alerts]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {}
