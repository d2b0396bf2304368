//! Watches the plugin folder. A changed `NAME.wasm` or `NAME.toml` (or a
//! file under `NAME.fixtures/`) is reloaded once the writes settle, on the
//! blocking pool: compiling never holds up a running pipeline.

use notify::{RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::ServeError;
use super::events::ServeEvent;
use super::state::{ReloadRecord, Reloads};
use crate::alerts::Alerter;
use crate::internal_events::{
    InternalEvent, PluginPublished, PluginReloadAborted, PluginReloadRefused, PluginReloaded,
};
use crate::plugin::PluginRegistry;

/// How long a plugin's files must be quiet before it is reloaded: a copy
/// in progress is not a plugin yet.
const SETTLE: Duration = Duration::from_millis(300);

/// Starts watching; the watcher stops when the returned value is dropped.
pub fn start(
    registry: Arc<PluginRegistry>,
    events: tokio::sync::broadcast::Sender<ServeEvent>,
    reloads: Reloads,
    alerter: Alerter,
) -> Result<notify::RecommendedWatcher, ServeError> {
    let dir = registry.dir().to_path_buf();
    let watch_error = |e: notify::Error| ServeError::Watch {
        dir: dir.clone(),
        message: e.to_string(),
    };
    let mut published = BTreeMap::new();
    publish_info(&registry, &mut published);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            for path in &event.paths {
                if let Some(name) = plugin_of(path) {
                    let _ = tx.send(name);
                }
            }
        }
    })
    .map_err(watch_error)?;
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .map_err(watch_error)?;
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut changed = BTreeSet::from([first]);
            // Gather until the folder is quiet.
            while let Ok(Some(name)) = tokio::time::timeout(SETTLE, rx.recv()).await {
                changed.insert(name);
            }
            for name in changed {
                let outcome = tokio::task::spawn_blocking({
                    let (registry, name) = (registry.clone(), name.clone());
                    move || registry.reload(&name)
                })
                .await;
                let error = match outcome {
                    Ok(Ok(true)) => {
                        PluginReloaded { plugin: &name }.emit();
                        alerter.report_plugin_loaded(&name);
                        None
                    }
                    Ok(Ok(false)) => continue,
                    Ok(Err(error)) => {
                        PluginReloadRefused {
                            plugin: &name,
                            error: &error,
                        }
                        .emit();
                        alerter.report_plugin_refused(&name, &error.to_string());
                        Some(error.to_string())
                    }
                    Err(error) => {
                        PluginReloadAborted { error: &error }.emit();
                        Some(error.to_string())
                    }
                };
                publish_info(&registry, &mut published);
                reloads.push(ReloadRecord {
                    plugin: name,
                    at: crate::db::now_timestamp(),
                    published: error.is_none(),
                    error,
                });
                let _ = events.send(ServeEvent::Changed {
                    what: "plugins".to_string(),
                });
                if let Err(error) = alerter.evaluate_now().await {
                    tracing::error!(%error, "alerts not evaluated after the reload");
                }
            }
        }
    });
    Ok(watcher)
}

/// What each plugin's `sluice_plugin_info` says: version, contract, sha256.
type Identity = (String, String, String);

/// Sets `sluice_plugin_info` for every published plugin whose identity
/// changed since `published`, withdrawing the version it replaced.
fn publish_info(registry: &PluginRegistry, published: &mut BTreeMap<String, Identity>) {
    for info in registry.list() {
        let identity = (info.version.clone(), info.wit.clone(), info.sha256.clone());
        if published.get(&info.name) == Some(&identity) {
            continue;
        }
        let replaced = published.insert(info.name.clone(), identity);
        PluginPublished {
            plugin: &info.name,
            version: &info.version,
            contract: &info.wit,
            sha256: &info.sha256,
            replaces: replaced
                .as_ref()
                .map(|(v, c, h)| (v.as_str(), c.as_str(), h.as_str())),
        }
        .emit();
    }
}

/// The plugin a changed path belongs to: `NAME.wasm`, `NAME.toml`, or a
/// file under `NAME.fixtures/`.
fn plugin_of(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    if let Some(name) = file
        .strip_suffix(".wasm")
        .or_else(|| file.strip_suffix(".toml"))
    {
        return Some(name.to_string());
    }
    path.ancestors()
        .filter_map(|a| a.file_name()?.to_str()?.strip_suffix(".fixtures"))
        .next()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_traced_to_their_plugin() {
        assert_eq!(
            plugin_of(Path::new("/p/odds.wasm")).as_deref(),
            Some("odds")
        );
        assert_eq!(
            plugin_of(Path::new("/p/odds.toml")).as_deref(),
            Some("odds")
        );
        assert_eq!(
            plugin_of(Path::new("/p/odds.fixtures/case/response.json")).as_deref(),
            Some("odds")
        );
        assert_eq!(plugin_of(Path::new("/p/notes.txt")), None);
    }
}
