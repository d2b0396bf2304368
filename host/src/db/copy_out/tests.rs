//! The lean COPY connection against a scripted server: cleartext, MD5
//! and SCRAM-SHA-256 passwords, rows cut across socket reads at every place,
//! an error inside a COPY, a refused login, and the cases it leaves to sqlx.

use super::*;
use postgres_protocol::authentication::md5_hash;
use sqlx::postgres::PgSslMode;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

/// One backend message.
fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&(body.len() as i32 + 4).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn auth(code: i32, extra: &[u8]) -> Vec<u8> {
    let mut body = code.to_be_bytes().to_vec();
    body.extend_from_slice(extra);
    msg(b'R', &body)
}

fn ready() -> Vec<u8> {
    msg(b'Z', b"I")
}

fn error(code: &str, message: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, v) in [
        (b'S', "ERROR"),
        (b'V', "ERROR"),
        (b'C', code),
        (b'M', message),
    ] {
        body.push(t);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    msg(b'E', &body)
}

/// Reads the client's startup message; its parameters.
async fn startup<S: AsyncRead + Unpin>(s: &mut S) -> Vec<(String, String)> {
    let len = s.read_i32().await.expect("length");
    let mut body = vec![0; len as usize - 4];
    s.read_exact(&mut body).await.expect("startup");
    let text = String::from_utf8(body[4..].to_vec()).expect("utf-8");
    let parts: Vec<&str> = text.split('\0').filter(|p| !p.is_empty()).collect();
    parts
        .chunks(2)
        .map(|kv| (kv[0].to_string(), kv.get(1).unwrap_or(&"").to_string()))
        .collect()
}

/// Reads one client message: its tag and body.
async fn client<S: AsyncRead + Unpin>(s: &mut S) -> (u8, Vec<u8>) {
    let tag = s.read_u8().await.expect("tag");
    let len = s.read_i32().await.expect("length");
    let mut body = vec![0; len as usize - 4];
    s.read_exact(&mut body).await.expect("body");
    (tag, body)
}

async fn send<S: AsyncWrite + Unpin>(s: &mut S, bytes: &[u8]) {
    s.write_all(bytes).await.expect("send");
    s.flush().await.expect("flush");
}

/// A listener on a free local port, and the port.
async fn listen() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let port = listener.local_addr().expect("address").port();
    (listener, port)
}

/// Accepts a client and asks it for a cleartext password: the stream and
/// the password message's body.
async fn ask_cleartext(listener: &TcpListener) -> (TcpStream, Vec<u8>) {
    let (mut s, _) = listener.accept().await.expect("accept");
    startup(&mut s).await;
    send(&mut s, &auth(3, &[])).await;
    let (tag, body) = client(&mut s).await;
    assert_eq!(tag, b'p');
    (s, body)
}

fn options(port: u16, password: Option<&str>) -> PgConnectOptions {
    let options = PgConnectOptions::new()
        .host("127.0.0.1")
        .port(port)
        .username("analyst")
        .database("crm")
        .ssl_mode(PgSslMode::Disable);
    match password {
        Some(p) => options.password(p),
        None => options,
    }
}

/// The rows a COPY of `n` rows sends, each a few bytes of its own.
fn rows(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("row {i}").repeat(1 + i % 3).into_bytes())
        .collect()
}

/// A server that takes an MD5 password, answers one statement, then
/// streams `rows` cut into pieces of `piece` bytes.
async fn md5_server(listener: TcpListener, rows: Vec<Vec<u8>>, piece: usize) {
    let (mut s, _) = listener.accept().await.expect("accept");
    let params = startup(&mut s).await;
    assert!(params.contains(&("user".to_string(), "analyst".to_string())));
    assert!(params.contains(&("database".to_string(), "crm".to_string())));
    let salt = [7, 1, 2, 3];
    send(&mut s, &auth(5, &salt)).await;
    let (tag, body) = client(&mut s).await;
    assert_eq!(tag, b'p');
    let expected = md5_hash(b"analyst", "s3cr%t".as_bytes(), salt);
    assert_eq!(&body[..body.len() - 1], expected.as_bytes());
    let mut hello = auth(0, &[]);
    hello.extend(msg(b'S', b"server_version\x0015.0\x00"));
    hello.extend(ready());
    send(&mut s, &hello).await;
    assert_eq!(client(&mut s).await.0, b'Q');
    let mut done = msg(b'C', b"BEGIN\x00");
    done.extend(ready());
    send(&mut s, &done).await;
    assert_eq!(client(&mut s).await.0, b'Q');
    let mut stream = msg(b'H', &[1, 0, 0]);
    for row in &rows {
        stream.extend(msg(b'd', row));
    }
    stream.extend(msg(b'c', &[]));
    stream.extend(msg(b'C', b"COPY 3\x00"));
    stream.extend(ready());
    for part in stream.chunks(piece) {
        send(&mut s, part).await;
        tokio::task::yield_now().await;
    }
    assert_eq!(client(&mut s).await.0, b'X');
}

#[tokio::test]
async fn rows_cut_anywhere_arrive_whole_and_in_order() {
    for piece in [1, 2, 5, 7, 64, 1 << 20] {
        let (listener, port) = listen().await;
        let sent = rows(300);
        let server = tokio::spawn(md5_server(listener, sent.clone(), piece));
        let mut conn = CopyOutConnection::connect(&options(port, Some("s3cr%t")))
            .await
            .expect("connected")
            .expect("not declined");
        conn.execute("BEGIN").await.expect("executed");
        let mut got: Vec<Vec<u8>> = Vec::new();
        {
            let mut copy = conn.copy_out("COPY t TO STDOUT").await.expect("copy");
            while copy
                .read(|row| -> Result<(), WireError> {
                    got.push(row.to_vec());
                    Ok(())
                })
                .await
                .expect("read")
            {}
        }
        assert_eq!(got, sent, "pieces of {piece} bytes");
        conn.close().await.expect("closed");
        server.await.expect("the server's checks");
    }
}

#[tokio::test]
async fn an_error_inside_the_copy_is_the_servers() {
    let (listener, port) = listen().await;
    tokio::spawn(async move {
        let (mut s, password) = ask_cleartext(&listener).await;
        assert_eq!(password, b"pw\0");
        let mut hello = auth(0, &[]);
        hello.extend(ready());
        send(&mut s, &hello).await;
        client(&mut s).await;
        let mut stream = msg(b'H', &[1, 0, 0]);
        stream.extend(msg(b'd', b"one"));
        stream.extend(error(
            "57014",
            "canceling statement due to statement timeout",
        ));
        stream.extend(ready());
        send(&mut s, &stream).await;
    });
    let mut conn = CopyOutConnection::connect(&options(port, Some("pw")))
        .await
        .expect("connected")
        .expect("not declined");
    let mut copy = conn.copy_out("COPY t TO STDOUT").await.expect("copy");
    let mut seen = 0;
    let mut result = Ok(true);
    while let Ok(true) = result {
        result = copy
            .read(|_| -> Result<(), WireError> {
                seen += 1;
                Ok(())
            })
            .await;
    }
    let e = result.expect_err("the COPY fails");
    assert_eq!(seen, 1);
    assert_eq!(
        e.to_string(),
        "ERROR 57014: canceling statement due to statement timeout"
    );
}

#[tokio::test]
async fn a_refused_login_is_an_error_and_a_missing_password_declines() {
    let (listener, port) = listen().await;
    tokio::spawn(async move {
        // First: a wrong password.
        let (mut s, _) = ask_cleartext(&listener).await;
        send(
            &mut s,
            &error(
                "28P01",
                "password authentication failed for user \"analyst\"",
            ),
        )
        .await;
        // Then: a password asked of a client that holds none.
        let (mut s, _) = listener.accept().await.expect("accept");
        startup(&mut s).await;
        send(&mut s, &auth(5, &[1, 2, 3, 4])).await;
        // Then: Kerberos.
        let (mut s, _) = listener.accept().await.expect("accept");
        startup(&mut s).await;
        send(&mut s, &auth(2, &[])).await;
    });
    let refused = CopyOutConnection::connect(&options(port, Some("wrong")))
        .await
        .err()
        .expect("refused");
    assert!(
        refused
            .to_string()
            .starts_with("ERROR 28P01: password authentication failed"),
        "{refused}"
    );
    let none = CopyOutConnection::connect(&options(port, None)).await;
    assert!(matches!(none, Ok(None)), "no password: declined");
    let kerberos = CopyOutConnection::connect(&options(port, Some("pw"))).await;
    assert!(matches!(kerberos, Ok(None)), "Kerberos: declined");
}

#[tokio::test]
async fn tls_asked_for_is_left_to_sqlx() {
    let (listener, port) = listen().await;
    tokio::spawn(async move { listener.accept().await });
    let options = options(port, Some("pw")).ssl_mode(PgSslMode::Require);
    let conn = CopyOutConnection::connect(&options).await;
    assert!(matches!(conn, Ok(None)));
}

/// HMAC-SHA-256 (RFC 2104), for the scripted server's side of SCRAM.
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A server that takes SCRAM-SHA-256 (RFC 5802, 7677) and checks the
/// client's proof of `password` before it lets the client in.
#[tokio::test]
async fn scram_sha_256_proves_the_password_both_ways() {
    let (listener, port) = listen().await;
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        startup(&mut s).await;
        send(&mut s, &auth(10, b"SCRAM-SHA-256\0\0")).await;
        let (tag, body) = client(&mut s).await;
        assert_eq!(tag, b'p');
        let mechanism_end = body.iter().position(|b| *b == 0).expect("mechanism");
        assert_eq!(&body[..mechanism_end], b"SCRAM-SHA-256");
        let first = String::from_utf8(body[mechanism_end + 5..].to_vec()).expect("utf-8");
        let first_bare = first.strip_prefix("n,,").expect("no channel binding");
        let client_nonce = first_bare.split("r=").nth(1).expect("nonce");
        let (salt, iterations) = (b"pepper-salt".as_slice(), 4096);
        let server_first = format!("r={client_nonce}srv,s={},i={iterations}", base64(salt));
        send(&mut s, &auth(11, server_first.as_bytes())).await;
        let (tag, body) = client(&mut s).await;
        assert_eq!(tag, b'p');
        let last = String::from_utf8(body).expect("utf-8");
        let (without_proof, proof) = last.split_once(",p=").expect("a proof");
        // PBKDF2 of one block.
        let mut u = hmac(b"s3cr%t", &[salt, &[0, 0, 0, 1]].concat());
        let mut salted = u;
        for _ in 1..iterations {
            u = hmac(b"s3cr%t", &u);
            salted.iter_mut().zip(u).for_each(|(s, u)| *s ^= u);
        }
        let said = format!("{first_bare},{server_first},{without_proof}");
        let client_key = hmac(&salted, b"Client Key");
        let stored = {
            use sha2::{Digest, Sha256};
            Sha256::digest(client_key)
        };
        let signature = hmac(&stored, said.as_bytes());
        let expected: Vec<u8> = client_key
            .iter()
            .zip(signature)
            .map(|(k, s)| k ^ s)
            .collect();
        assert_eq!(proof, base64(&expected), "the client proves the password");
        let server_signature = hmac(&hmac(&salted, b"Server Key"), said.as_bytes());
        let mut done = auth(12, format!("v={}", base64(&server_signature)).as_bytes());
        done.extend(auth(0, &[]));
        done.extend(ready());
        send(&mut s, &done).await;
        assert_eq!(client(&mut s).await.0, b'X');
    });
    let conn = CopyOutConnection::connect(&options(port, Some("s3cr%t")))
        .await
        .expect("connected")
        .expect("not declined");
    conn.close().await.expect("closed");
    server.await.expect("the server's checks");
}
