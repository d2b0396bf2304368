//! A `sluice serve` process for a test, and plain HTTP/1.0 requests to it:
//! started on a free port with its log in the test's folder, waited for
//! until `/healthz` answers, killed when the test ends.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{TestContext, sluice_command};

/// One HTTP/1.0 request with an optional bearer token: the status and the
/// body, or `None` when nothing answered.
pub fn request(addr: &str, method: &str, path: &str, token: Option<&str>) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n{auth}Content-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

/// Waits until `ready`, failing the test after `timeout`, naming `what`.
pub fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A free port on the loopback, as `127.0.0.1:PORT`.
pub fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    format!("127.0.0.1:{port}")
}

/// A `sluice serve` process, killed if the test ends first.
pub struct Serving {
    child: Option<Child>,
    /// Where it listens.
    pub addr: String,
}

impl Serving {
    /// Starts `sluice serve --config CONFIG` with `args` and `env`, its
    /// stderr appended to `serve.log` in the test's folder, and waits for
    /// `/healthz`.
    pub fn start(ctx: &TestContext, config: &Path, args: &[&str], env: &[(&str, &str)]) -> Serving {
        Serving::start_on(ctx, config, &free_addr(), args, env)
    }

    /// [`Serving::start`] listening on `addr` (to start a server again
    /// where its clients expect it).
    pub fn start_on(
        ctx: &TestContext,
        config: &Path,
        addr: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Serving {
        let addr = addr.to_string();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(ctx.path("serve.log"))
            .expect("log");
        let config = config.to_str().expect("utf-8");
        let mut all = vec!["serve", "--config", config, "--addr", &addr];
        all.extend_from_slice(args);
        let mut command = sluice_command(&all);
        command
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log);
        let mut serving = Serving {
            child: Some(command.spawn().expect("serve")),
            addr,
        };
        // A server that exits or never answers fails the test with the end
        // of its log, which says why.
        let started = Instant::now();
        while serving
            .get("/healthz")
            .is_none_or(|(_, b)| b.trim() != "ok")
        {
            let exited = serving
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || started.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(ctx.path("serve.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                panic!(
                    "sluice serve on {} did not answer /healthz ({}); the end of its log:\n{}",
                    serving.addr,
                    exited.map_or("60 s passed".to_string(), |s| format!("it exited: {s}")),
                    tail.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        serving
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        request(&self.addr, "GET", path, None)
    }

    /// Sends `signal` and waits (at most 40 s) for the process to exit.
    pub fn signal(&mut self, signal: i32) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = i32::try_from(child.id()).expect("pid");
        assert_eq!(kill(pid, signal), 0, "kill {pid}");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(40),
                "sluice serve did not exit after signal {signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Sends `signal` to the child process `child`; 0 when it was sent.
pub fn signal_child(child: &Child, signal: i32) -> i32 {
    i32::try_from(child.id()).map_or(-1, |pid| kill(pid, signal))
}

#[allow(unsafe_code)]
fn kill(pid: i32, signal: i32) -> i32 {
    // SAFETY: sends a signal to a child process this test started.
    unsafe { libc::kill(pid, signal) }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
