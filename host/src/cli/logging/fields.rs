//! An event's or a span's fields as a JSON object, shared by the JSON log
//! lines and the run logs kept in the database.

use serde_json::{Map, Value};
use std::fmt::Debug;
use tracing::field::{Field, Visit};

/// The fields of a span, kept in its extensions when it opens (and updated
/// when it records more), so every event inside it can carry them.
#[derive(Debug, Default, Clone)]
pub struct SpanFields(pub Map<String, Value>);

/// Collects fields into a JSON object; `message` is kept apart.
#[derive(Debug, Default)]
pub struct FieldMap {
    /// The `message` field, when there is one.
    pub message: Option<String>,
    /// Every other field.
    pub fields: Map<String, Value>,
}

impl FieldMap {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.insert(field.name().to_string(), value);
        }
    }
}

impl Visit for FieldMap {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, serde_json::json!(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}
