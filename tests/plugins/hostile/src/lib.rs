//! A plugin that misbehaves on purpose, one stream per way a plugin can go
//! wrong; `good` behaves. The host's sandbox tests call each and expect a
//! clear error within the deadline, with the host still serving `good`.

use sluice_plugin_sdk::{
    Batch, HttpRequest, HttpResponse, Params, PluginError, Record, Source, Team,
};

/// The misbehaving normalizer.
pub struct Hostile;

fn team(id: usize, name: String) -> Record {
    Record::Team(Team::named(id.to_string(), name))
}

/// Recurses until the stack runs out; the sum keeps it from being a loop.
#[allow(unconditional_recursion)]
fn recurse(depth: u64, trail: &mut Vec<u64>) -> u64 {
    trail.push(depth);
    recurse(depth + 1, trail).wrapping_add(std::hint::black_box(depth))
}

impl Source for Hostile {
    fn plan(
        _stream: String,
        _cursor: Option<String>,
        _params: Params,
    ) -> Result<Vec<HttpRequest>, PluginError> {
        Ok(vec![HttpRequest::get("/", &[])])
    }

    fn normalize(
        stream: String,
        _params: Params,
        _request: HttpRequest,
        _response: HttpResponse,
    ) -> Result<Batch, PluginError> {
        match stream.as_str() {
            "good" => Ok(Batch::of(vec![team(1, "Good FC".to_string())])),
            "infinite_loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "memory_bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "stack_overflow" => {
                let mut trail = Vec::new();
                let depth = recurse(0, &mut trail);
                Ok(Batch::of(vec![team(1, depth.to_string())]))
            }
            "huge_output" => Ok(Batch::of(
                (0..20_000).map(|i| team(i, "x".repeat(1_000))).collect(),
            )),
            "panic" => panic!("the provider's JSON had no `teams` key"),
            "open_file" => match std::fs::read_to_string("/etc/passwd") {
                Ok(text) => Ok(Batch::of(vec![team(1, text)])),
                Err(e) => Err(PluginError::ProviderError(format!("open /etc/passwd: {e}"))),
            },
            "open_socket" => match std::net::TcpStream::connect("127.0.0.1:5432") {
                Ok(_) => Ok(Batch::of(vec![team(1, "connected".to_string())])),
                Err(e) => Err(PluginError::ProviderError(format!(
                    "connect 127.0.0.1:5432: {e}"
                ))),
            },
            "read_env" => {
                let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
                Ok(Batch::of(vec![team(
                    1,
                    format!("env: [{}]", vars.join(",")),
                )]))
            }
            "print" => {
                for i in 0..10_000 {
                    println!("line {i} of a plugin that talks too much");
                }
                eprintln!("and a word on stderr");
                Ok(Batch::of(vec![team(1, "Printed FC".to_string())]))
            }
            other => Err(PluginError::UnknownStream(other.to_string())),
        }
    }
}

#[cfg(target_arch = "wasm32")]
sluice_plugin_sdk::export_normalizer!(Hostile);
