//! The replay provider's live simulator on a free loopback port, on its
//! own thread and runtime, until dropped.

use std::net::SocketAddr;
use std::sync::Arc;

use sluice::replay_provider::live_sim::{self, LiveSim, LiveSimSpec};

/// A simulated live match day being served.
pub struct SimServer {
    pub addr: SocketAddr,
    pub sim: Arc<LiveSim>,
    _server: super::server::Server,
}

impl SimServer {
    /// Starts the day of `spec` now.
    pub fn start(spec: LiveSimSpec) -> Self {
        let sim = Arc::new(LiveSim::start(spec));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let served = sim.clone();
        let server = super::server::Server::start(listener, move |l| async move {
            let _ = live_sim::serve(l, served).await;
        });
        SimServer {
            addr: server.addr,
            sim,
            _server: server,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
