//! Headless chromium driven over the Chrome DevTools Protocol, with nothing
//! but the standard library: chromium is started with
//! `--remote-debugging-port=0`, prints its DevTools websocket address on
//! stderr, and this speaks just enough websocket (text frames, masked from
//! the client, fragments and pings) to send commands and read their results.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Where the test looks for chromium: `SLUICE_CHROMIUM`, else Debian's.
fn chromium_path() -> PathBuf {
    std::env::var_os("SLUICE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// One headless chromium with one page attached; killed when dropped.
pub struct Browser {
    child: Child,
    socket: WebSocket,
    session: Option<String>,
    next_id: u64,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts chromium with its profile in `profile`; fails naming chromium
    /// when it is not installed.
    pub fn launch(profile: &Path) -> Browser {
        let path = chromium_path();
        assert!(
            path.exists(),
            "chromium is missing: the dashboard test drives headless chromium at {} \
             (Debian: apt-get install chromium; `make test` installs it; or set SLUICE_CHROMIUM)",
            path.display()
        );
        let mut child = Command::new(&path)
            .args([
                "--headless=new",
                "--remote-debugging-port=0",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--window-size=1280,1000",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromium at {}: {e}", path.display()));
        let stderr = child.stderr.take().expect("chromium's stderr");
        let (tx, rx) = mpsc::channel();
        // Reads chromium's stderr to its end, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("chromium did not print its DevTools address within 30 s");
        Browser {
            child,
            socket: WebSocket::connect(&url),
            session: None,
            next_id: 0,
        }
    }

    /// Opens `url` in a new page and waits until it has loaded.
    pub fn open(&mut self, url: &str) {
        let target = self.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().expect("targetId").to_string();
        let attached = self.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        self.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("sessionId")
                .to_string(),
        );
        self.call("Page.enable", json!({}));
        self.call("Runtime.enable", json!({}));
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": false }),
        );
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_until("the page to load", "document.readyState === 'complete'");
    }

    /// Sends one command (to the page once one is open) and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket.send(&message.to_string());
        loop {
            let reply: Value =
                serde_json::from_str(&self.socket.receive()).expect("DevTools sent JSON");
            if reply["id"].as_u64() != Some(id) {
                continue; // an event
            }
            if let Some(error) = reply.get("error") {
                panic!("DevTools {method} failed: {error}");
            }
            return reply["result"].clone();
        }
    }

    /// The value of a JavaScript expression in the page (promises awaited).
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("`{expression}` threw in the page: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it is true, for up to 20 s.
    pub fn wait_until(&mut self, what: &str, expression: &str) {
        self.wait_up_to(Duration::from_secs(20), what, expression);
    }

    /// Polls `expression` until it is true, for up to `timeout`.
    pub fn wait_up_to(&mut self, timeout: Duration, what: &str, expression: &str) {
        let started = Instant::now();
        loop {
            if self.eval(expression) == json!(true) {
                return;
            }
            if started.elapsed() > timeout {
                let text = self.eval("document.body ? document.body.innerText : ''");
                panic!(
                    "timed out after {timeout:?} waiting for {what} (`{expression}`); the page shows:\n{}",
                    text.as_str().unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A PNG of the whole page, 1280 px wide.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let height = self
            .eval("Math.min(3000, document.documentElement.scrollHeight)")
            .as_u64()
            .unwrap_or(1000);
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        );
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        base64_decode(shot["data"].as_str().expect("screenshot data"))
    }
}

/// A client websocket: text frames only, as DevTools speaks.
struct WebSocket {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl WebSocket {
    fn connect(url: &str) -> WebSocket {
        let rest = url
            .strip_prefix("ws://")
            .unwrap_or_else(|| panic!("not a ws:// address: {url}"));
        let (host, path) = rest
            .split_once('/')
            .expect("a path in the DevTools address");
        let mut stream = TcpStream::connect(host).expect("connect to DevTools");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("read timeout");
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: c2x1aWNlLWRhc2hib2FyZA==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .expect("send the websocket handshake");
        let mut reader = BufReader::new(stream.try_clone().expect("clone socket"));
        let mut status = String::new();
        reader.read_line(&mut status).expect("handshake answer");
        assert!(
            status.contains(" 101 "),
            "DevTools refused the websocket: {status}"
        );
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("handshake headers");
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        WebSocket { stream, reader }
    }

    fn send_frame(&mut self, opcode: u8, payload: &[u8]) {
        let mut frame = vec![0x80 | opcode];
        let len = payload.len();
        if len < 126 {
            frame.push(0x80 | len as u8);
        } else if len < 65536 {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
        let mask = [0x5a, 0x17, 0xc3, 0x88];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).expect("send to DevTools");
    }

    fn send(&mut self, text: &str) {
        self.send_frame(0x1, text.as_bytes());
    }

    /// The next whole text message.
    fn receive(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.reader
                .read_exact(&mut head)
                .expect("read from DevTools");
            let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0f);
            let mut len = u64::from(head[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                self.reader.read_exact(&mut b).expect("frame length");
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                self.reader.read_exact(&mut b).expect("frame length");
                len = u64::from_be_bytes(b);
            }
            let mask = if head[1] & 0x80 != 0 {
                let mut m = [0u8; 4];
                self.reader.read_exact(&mut m).expect("frame mask");
                Some(m)
            } else {
                None
            };
            let mut payload = vec![0u8; usize::try_from(len).expect("frame size")];
            self.reader.read_exact(&mut payload).expect("frame payload");
            if let Some(m) = mask {
                payload
                    .iter_mut()
                    .enumerate()
                    .for_each(|(i, b)| *b ^= m[i % 4]);
            }
            match opcode {
                0x0..=0x2 => {
                    message.extend_from_slice(&payload);
                    if fin {
                        return String::from_utf8(message).expect("DevTools sent UTF-8");
                    }
                }
                0x8 => panic!("chromium closed the DevTools connection"),
                0x9 => self.send_frame(0xA, &payload),
                _ => {}
            }
        }
    }
}

/// Standard base64, as DevTools sends screenshots.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {}", c as char),
        }
    };
    let clean: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for chunk in clean.chunks(4) {
        let digits: Vec<u32> = chunk
            .iter()
            .filter(|c| **c != b'=')
            .map(|c| value(*c))
            .collect();
        let n = digits
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | (d << (18 - 6 * i)));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..digits.len()]);
    }
    out
}

#[test]
fn base64_decodes_padding() {
    assert_eq!(base64_decode("c2x1aWNl"), b"sluice");
    assert_eq!(base64_decode("c2x1aWM="), b"sluic");
    assert_eq!(base64_decode("c2x1aQ=="), b"slui");
}
