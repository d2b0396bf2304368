//! The lineage graph of a config: providers → streams → plugins (the
//! normalizer, then the stream's enrichers) → the canonical tables each
//! plugin wrote → the views read from those tables. As Graphviz DOT or
//! JSON.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::config::{Config, StreamConfig};
use crate::db::{DbError, Exec, Pool, row};
use crate::load::tables::ALL;

/// The views of the schema and the canonical tables they read (migration
/// 0005's resolution views).
const VIEWS: &[(&str, &[&str])] = &[
    ("event_links", &["events"]),
    ("canonical_event_sources", &["events"]),
    ("canonical_events", &["events"]),
    ("event_conflicts", &["events"]),
    ("canonical_teams", &["teams"]),
];

/// One node of the graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Node {
    /// Unique id: `KIND:NAME`.
    pub id: String,
    /// `provider`, `stream`, `plugin`, `table` or `view`.
    pub kind: &'static str,
    /// What a reader sees.
    pub label: String,
}

/// One edge: data flows from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    /// The upstream node's id.
    pub from: String,
    /// The downstream node's id.
    pub to: String,
}

/// A config's lineage graph.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LineageGraph {
    /// Every node, ordered by id.
    pub nodes: Vec<Node>,
    /// Every edge, ordered.
    pub edges: Vec<Edge>,
}

/// The canonical tables each plugin has written rows to, read from the
/// rows' `plugin` column: what the plugins really produce.
pub async fn tables_by_plugin(pool: &Pool) -> Result<BTreeMap<String, Vec<String>>, DbError> {
    let mut conn = pool.acquire().await.map_err(DbError::query("connect"))?;
    let mut by_plugin: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for table in ALL {
        let doing = format!("reading the plugins of {}", table.name);
        let rows = conn
            .fetch(
                &format!("SELECT DISTINCT plugin FROM {}", table.name),
                vec![],
            )
            .await
            .map_err(DbError::query(doing.clone()))?;
        for r in &rows {
            by_plugin
                .entry(row::text(r, 0, &doing)?)
                .or_default()
                .push(table.name.to_string());
        }
    }
    Ok(by_plugin)
}

/// The graph of `config`'s pipelines, with each plugin's tables as
/// `tables_by_plugin` found them.
pub fn build(config: &Config, tables_by_plugin: &BTreeMap<String, Vec<String>>) -> LineageGraph {
    let mut nodes = BTreeSet::new();
    let mut edges = BTreeSet::new();
    let mut edge = |from: &str, to: &str| {
        edges.insert(Edge {
            from: from.to_string(),
            to: to.to_string(),
        });
    };
    let mut plugins = BTreeSet::new();
    let streams = config
        .pipelines
        .values()
        .flat_map(|p| &p.streams)
        .flat_map(|s| std::iter::once(s).chain(&s.fallback));
    for stream in streams {
        let Some(provider) = config.providers.get(&stream.provider) else {
            continue;
        };
        let provider_id = node(&mut nodes, "provider", &stream.provider, &stream.provider);
        let stream_id = node(&mut nodes, "stream", &stream.key(), &stream_label(stream));
        let plugin_id = node(&mut nodes, "plugin", &provider.plugin, &provider.plugin);
        plugins.insert(provider.plugin.clone());
        edge(&provider_id, &stream_id);
        edge(&stream_id, &plugin_id);
        let mut upstream = plugin_id;
        for enricher in &stream.enrich {
            let enricher_id = node(&mut nodes, "plugin", enricher, enricher);
            plugins.insert(enricher.clone());
            edge(&upstream, &enricher_id);
            upstream = enricher_id;
        }
    }
    let mut tables = BTreeSet::new();
    for plugin in &plugins {
        for table in tables_by_plugin.get(plugin).into_iter().flatten() {
            let table_id = node(&mut nodes, "table", table, table);
            edge(&format!("plugin:{plugin}"), &table_id);
            tables.insert(table.as_str());
        }
    }
    for (view, sources) in VIEWS {
        for source in sources.iter().filter(|s| tables.contains(**s)) {
            let view_id = node(&mut nodes, "view", view, view);
            edge(&format!("table:{source}"), &view_id);
        }
    }
    LineageGraph {
        nodes: nodes.into_iter().collect(),
        edges: edges.into_iter().collect(),
    }
}

fn node(nodes: &mut BTreeSet<Node>, kind: &'static str, name: &str, label: &str) -> String {
    let id = format!("{kind}:{name}");
    nodes.insert(Node {
        id: id.clone(),
        kind,
        label: label.to_string(),
    });
    id
}

fn stream_label(stream: &StreamConfig) -> String {
    let key = stream.key();
    key.strip_suffix('?').map(str::to_string).unwrap_or(key)
}

impl LineageGraph {
    /// The graph in Graphviz DOT, left to right, one shape per kind.
    pub fn to_dot(&self) -> String {
        let mut dot =
            String::from("digraph sluice {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
        for node in &self.nodes {
            let shape = match node.kind {
                "provider" => "house",
                "stream" => "ellipse",
                "plugin" => "component",
                "table" => "cylinder",
                _ => "note",
            };
            dot.push_str(&format!(
                "  {} [label={}, shape={shape}];\n",
                quote(&node.id),
                quote(&node.label)
            ));
        }
        for edge in &self.edges {
            dot.push_str(&format!(
                "  {} -> {};\n",
                quote(&edge.from),
                quote(&edge.to)
            ));
        }
        dot.push_str("}\n");
        dot
    }
}

/// A DOT quoted string.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_flows_from_its_provider_through_its_plugins_to_tables_and_views() {
        let loaded = crate::config::LoadedConfig::parse(
            std::path::Path::new("sluice.toml"),
            r#"
[providers.fd]
plugin = "football-data"
base_url = "https://api.example.com/v4"

[pipelines.daily]
streams = [{ provider = "fd", stream = "matches", params = { competition = "PL" }, enrich = ["team-aliases"] }]
"#,
        )
        .expect("config");
        let tables = BTreeMap::from([
            ("football-data".to_string(), vec!["events".to_string()]),
            ("other".to_string(), vec!["odds".to_string()]),
        ]);
        let graph = build(&loaded.config, &tables);
        let dot = graph.to_dot();
        for edge in [
            "\"provider:fd\" -> \"stream:fd/matches?competition=PL\"",
            "\"stream:fd/matches?competition=PL\" -> \"plugin:football-data\"",
            "\"plugin:football-data\" -> \"plugin:team-aliases\"",
            "\"plugin:football-data\" -> \"table:events\"",
            "\"table:events\" -> \"view:canonical_events\"",
        ] {
            assert!(dot.contains(edge), "{edge} missing from\n{dot}");
        }
        assert!(
            !dot.contains("table:odds"),
            "a plugin not in the config: {dot}"
        );
    }
}
