//! `cruscotto serve` stops promptly on SIGTERM even while a request is in
//! flight and would take much longer than the shutdown's grace.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigterm_stops_the_server_while_a_request_is_still_arriving() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("shutdown.db");
    let mut server = Command::new(env!("CARGO_BIN_EXE_cruscotto"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db)
        // The request below would be allowed a minute.
        .env("CRUSCOTTO_REQUEST_TIMEOUT_MS", "60000")
        .env("CRUSCOTTO_SHUTDOWN_TIMEOUT_MS", "2000")
        .env_remove("RUST_LOG")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cruscotto serve starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout"));
    let mut line = String::new();
    lines.read_line(&mut line).expect("a first line");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("the address in {line:?}"))
        .to_string();

    // A request whose body is still arriving: it is in flight until the
    // client finishes or the time limit (a minute) passes.
    let mut slow = TcpStream::connect(&address).expect("connects");
    write!(
        slow,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"query\": "
    )
    .expect("sends the start of a request");
    slow.flush().expect("flushes");
    std::thread::sleep(Duration::from_millis(300));

    let started = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = loop {
        if let Some(status) = server.try_wait().expect("the server's status") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = server.kill();
            panic!("the server did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Generous: the grace is 2 s; before, a shutdown waited for the request
    // time limit plus 5 s (65 s here).
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "stopped after {:?}",
        started.elapsed()
    );
    assert!(status.success(), "{status:?}");
    // The slow client sees its connection closed.
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
}
