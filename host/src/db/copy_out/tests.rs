//! The lean COPY connection against a scripted server: MD5 and cleartext
//! passwords, rows cut across socket reads at every place, an error
//! inside a COPY, a refused login, and the cases it leaves to sqlx.

use super::*;
use postgres_protocol::authentication::md5_hash;
use sqlx::postgres::PgSslMode;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

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
    for (t, v) in [(b'S', "ERROR"), (b'V', "ERROR"), (b'C', code), (b'M', message)] {
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
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
        let port = listener.local_addr().expect("address").port();
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
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        startup(&mut s).await;
        send(&mut s, &auth(3, &[])).await;
        let (tag, body) = client(&mut s).await;
        assert_eq!((tag, body.as_slice()), (b'p', b"pw\0".as_slice()));
        let mut hello = auth(0, &[]);
        hello.extend(ready());
        send(&mut s, &hello).await;
        client(&mut s).await;
        let mut stream = msg(b'H', &[1, 0, 0]);
        stream.extend(msg(b'd', b"one"));
        stream.extend(error("57014", "canceling statement due to statement timeout"));
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
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        // First: a wrong password.
        let (mut s, _) = listener.accept().await.expect("accept");
        startup(&mut s).await;
        send(&mut s, &auth(3, &[])).await;
        client(&mut s).await;
        send(
            &mut s,
            &error("28P01", "password authentication failed for user \"analyst\""),
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
        refused.to_string().starts_with("ERROR 28P01: password authentication failed"),
        "{refused}"
    );
    let none = CopyOutConnection::connect(&options(port, None)).await;
    assert!(matches!(none, Ok(None)), "no password: declined");
    let kerberos = CopyOutConnection::connect(&options(port, Some("pw"))).await;
    assert!(matches!(kerberos, Ok(None)), "Kerberos: declined");
}

#[tokio::test]
async fn tls_asked_for_is_left_to_sqlx() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move { listener.accept().await });
    let options = options(port, Some("pw")).ssl_mode(PgSslMode::Require);
    let conn = CopyOutConnection::connect(&options).await;
    assert!(matches!(conn, Ok(None)));
}
