//! A local S3-compatible server (moto, which `make tools-s3` installs into
//! target/moto) for the tests that read or write S3.

/// A local S3-compatible server (moto) on a free port, stopped when
/// dropped.
pub struct S3Server {
    child: std::process::Child,
    pub endpoint: String,
}

impl S3Server {
    /// Starts moto on a free port and waits until it listens.
    pub fn start() -> Self {
        let server = crate::common::repo_root().join("target/moto/bin/moto_server");
        assert!(
            server.is_file(),
            "{} is missing: the S3 tests need moto's server (`make tools-s3` installs it; `make test` does)",
            server.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        let endpoint = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "moto_server did not listen on port {port} within 30 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        S3Server { child, endpoint }
    }

    /// Creates `bucket` (moto creates a bucket on an unsigned PUT).
    pub fn create_bucket(&self, bucket: &str) {
        self.put(bucket, Vec::new());
    }

    /// Stores `body` at `path` (`bucket/key`).
    pub fn put(&self, path: &str, body: Vec<u8>) {
        let url = format!("{}/{path}", self.endpoint);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let response = reqwest::Client::new()
                .put(&url)
                .body(body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("PUT {url}: {e}"));
            assert!(
                response.status().is_success(),
                "PUT {url}: {}",
                response.status()
            );
        });
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The credentials and region moto accepts.
pub const S3_ENV: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_REGION", "us-east-1"),
];
