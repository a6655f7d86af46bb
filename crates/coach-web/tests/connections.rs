//! Slow and idle clients (reliability T7): a client that never finishes its
//! request headers is disconnected, and others are served meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected_while_others_are_served() {
    let app = TestApp::spawn_with(|c| c.header_read_timeout = Duration::from_millis(200)).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    let ok = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(
        ok.status(),
        200,
        "served while 20 slow clients hold connections"
    );
    for mut stream in slow {
        let mut buf = Vec::new();
        // A guard against a hang, not a timing assertion: the server closes
        // the connection after its 200 ms header timeout.
        let read =
            tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the server closed the slow connection");
        let text = String::from_utf8_lossy(&buf);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_server_speaks_http2_too() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let r = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
}
