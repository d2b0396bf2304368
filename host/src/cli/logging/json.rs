//! `--log-format json`: one JSON object per line with the time, the level,
//! the message, the event's fields and those of every span it happened in
//! (`run_id`, `pipeline`, `provider`, `stream`, `plugin`…), flattened so a
//! log shipper can index them without knowing the nesting.

use std::fmt;

use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber, span};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::{Context, Filter};
use tracing_subscriber::registry::LookupSpan;

use super::fields::{FieldMap, SpanFields};
use crate::db::now_timestamp;

/// Writes each event as one flat JSON object.
#[derive(Debug, Default)]
pub struct FlatJson;

impl<S, N> FormatEvent<S, N> for FlatJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut line = serde_json::Map::new();
        line.insert("timestamp".into(), now_timestamp().into());
        line.insert("level".into(), meta.level().as_str().into());
        let mut own = FieldMap::default();
        event.record(&mut own);
        line.insert("message".into(), own.message.unwrap_or_default().into());
        line.insert("target".into(), meta.target().into());
        let mut fields = serde_json::Map::new();
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if let Some(known) = span.extensions().get::<SpanFields>() {
                    fields.extend(known.0.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        fields.extend(own.fields);
        for (key, value) in fields {
            line.entry(key).or_insert(value);
        }
        writeln!(writer, "{}", serde_json::Value::Object(line))
    }
}

/// A filter for events that lets the spans of sluice through whatever it
/// says, so a JSON line at `warn` still carries the fields of the run and
/// stream spans it happened in.
pub struct EventsOnly<F>(pub F);

impl<F> EventsOnly<F> {
    fn span_wanted(meta: &Metadata<'_>) -> bool {
        meta.is_span() && meta.target().starts_with("sluice") && *meta.level() <= LevelFilter::INFO
    }
}

impl<S, F: Filter<S>> Filter<S> for EventsOnly<F> {
    fn enabled(&self, meta: &Metadata<'_>, cx: &Context<'_, S>) -> bool {
        Self::span_wanted(meta) || self.0.enabled(meta, cx)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if Self::span_wanted(meta) {
            Interest::always()
        } else {
            self.0.callsite_enabled(meta)
        }
    }

    fn event_enabled(&self, event: &Event<'_>, cx: &Context<'_, S>) -> bool {
        self.0.event_enabled(event, cx)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        self.0
            .max_level_hint()
            .map(|hint| hint.max(LevelFilter::INFO))
    }

    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        self.0.on_new_span(attrs, id, ctx);
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        self.0.on_record(id, values, ctx);
    }

    fn on_enter(&self, id: &span::Id, ctx: Context<'_, S>) {
        self.0.on_enter(id, ctx);
    }

    fn on_exit(&self, id: &span::Id, ctx: Context<'_, S>) {
        self.0.on_exit(id, ctx);
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        self.0.on_close(id, ctx);
    }
}
