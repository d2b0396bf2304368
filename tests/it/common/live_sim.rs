//! The replay provider's live simulator on a free loopback port, on its
//! own thread and runtime, until dropped.

use std::net::SocketAddr;
use std::sync::Arc;

use sluice::replay_provider::live_sim::{self, LiveSim, LiveSimSpec};

/// A simulated live match day being served.
pub struct SimServer {
    pub addr: SocketAddr,
    pub sim: Arc<LiveSim>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SimServer {
    /// Starts the day of `spec` now.
    pub fn start(spec: LiveSimSpec) -> Self {
        let sim = Arc::new(LiveSim::start(spec));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel();
        let served = sim.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                tokio::select! {
                    _ = live_sim::serve(listener, served) => {}
                    _ = rx => {}
                }
            });
        });
        SimServer {
            addr,
            sim,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
