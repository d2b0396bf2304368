//! A validator the tests steer with `mode`:
//! - `odd` (default): fails each row whose integer `column` is odd;
//! - `beyond`: a verdict for a row past the end of the batch;
//! - `error`: returns an error;
//! - `panic`: panics;
//! - `loop`: never returns.

use sluice_plugin_sdk::params;
use sluice_plugin_sdk::{Params, PluginError, RowBatch, Validate, Verdict};

struct Probe;

impl Validate for Probe {
    fn validate(
        table: String,
        params: Params,
        batch: RowBatch,
    ) -> Result<Vec<Verdict>, PluginError> {
        match params::get(&params, "mode").unwrap_or("odd") {
            "beyond" => Ok(vec![Verdict::fails(batch.rows.len() + 5, "nowhere")]),
            "error" => Err(PluginError::InvalidParams(
                "the probe was told to fail".into(),
            )),
            "panic" => panic!("the probe was told to panic"),
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            _ => {
                let name = params::require(&params, "column")?;
                let at = batch.column(name).ok_or_else(|| {
                    PluginError::InvalidParams(format!("table `{table}` has no column `{name}`"))
                })?;
                Ok(batch
                    .rows
                    .iter()
                    .enumerate()
                    .filter_map(|(i, row)| {
                        let value = row.get(at)?.as_f64()?;
                        (value as i64 % 2 != 0)
                            .then(|| Verdict::fails(i, format!("{name} {value} is odd")))
                    })
                    .collect())
            }
        }
    }
}

sluice_plugin_sdk::export_validator!(Probe);
