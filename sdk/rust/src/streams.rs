//! The streams a plugin serves, and the `unknown-stream` error that names
//! them, so every plugin refuses a stream it lacks in the same words.

use crate::PluginError;

/// A plugin's name and its streams' names.
#[derive(Debug, Clone, Copy)]
pub struct Streams {
    /// The plugin, as its manifest names it.
    pub plugin: &'static str,
    /// Every stream it serves.
    pub names: &'static [&'static str],
}

impl Streams {
    /// The `unknown-stream` error for `stream`: "`plugin` has no stream
    /// `stream` (streams: …)".
    pub fn unknown(&self, stream: &str) -> PluginError {
        PluginError::UnknownStream(format!(
            "{} has no stream `{stream}` (streams: {})",
            self.plugin,
            self.names.join(", ")
        ))
    }

    /// Nothing when the plugin serves `stream`, else [`Streams::unknown`].
    pub fn check(&self, stream: &str) -> Result<(), PluginError> {
        if self.names.contains(&stream) {
            Ok(())
        } else {
            Err(self.unknown(stream))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAMS: Streams = Streams {
        plugin: "football-data",
        names: &["matches", "teams"],
    };

    #[test]
    fn an_unknown_stream_is_named_with_the_plugins_streams() {
        assert_eq!(STREAMS.check("teams"), Ok(()));
        assert_eq!(
            STREAMS.check("odds"),
            Err(PluginError::UnknownStream(
                "football-data has no stream `odds` (streams: matches, teams)".to_string()
            ))
        );
    }
}
