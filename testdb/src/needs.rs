//! What a test does when something it needs from outside the workspace is
//! absent: Postgres (the second backend), Chromium with chromedriver (the
//! browser tests), Node.js with the audit's npm packages, `pdftotext`.
//!
//! The test fails, naming what is missing and how to install it
//! (`scripts/test.sh` installs everything and starts Postgres), unless the
//! person running the tests opts out explicitly with
//! `CRUSCOTTO_ALLOW_MISSING`: a comma-separated list of `postgres`,
//! `browser`, `audit` and `pdftotext`, or `all`. Then the test prints
//! `SKIPPED: <test>: <what is missing>` on stderr and returns. So no test
//! passes without running what it is about unless someone asked for it.
//!
//! Standard library only: the tests of the import crate (which does not
//! depend on this crate) and the storage crate's unit tests include this
//! file with `#[path]`.

/// The variable that lists what may be missing.
pub const ALLOW_MISSING_VAR: &str = "CRUSCOTTO_ALLOW_MISSING";

/// Something a test needs that the workspace does not provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A Postgres server for the second backend.
    Postgres,
    /// Chromium and chromedriver, for the browser tests.
    Browser,
    /// Node.js and the npm packages of `tests/http-audit`.
    Audit,
    /// `pdftotext` (poppler), for PDFs imported through a mapping.
    Pdftotext,
}

impl Need {
    pub const ALL: [Need; 4] = [Need::Postgres, Need::Browser, Need::Audit, Need::Pdftotext];

    /// Its name in `CRUSCOTTO_ALLOW_MISSING`.
    pub fn key(self) -> &'static str {
        match self {
            Need::Postgres => "postgres",
            Need::Browser => "browser",
            Need::Audit => "audit",
            Need::Pdftotext => "pdftotext",
        }
    }

    /// How to get it.
    pub fn install(self) -> &'static str {
        match self {
            Need::Postgres => {
                "start a Postgres server (Debian: apt-get install postgresql, then \
                 pg_ctlcluster --skip-systemctl-redirect VERSION main start) and set \
                 CRUSCOTTO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres"
            }
            Need::Browser => "apt-get install chromium chromium-driver",
            Need::Audit => {
                "install Node.js (apt-get install nodejs npm) and run `npm ci` in tests/http-audit"
            }
            Need::Pdftotext => "apt-get install poppler-utils",
        }
    }
}

/// Whether `list`, the value of `CRUSCOTTO_ALLOW_MISSING`, lets `need` be
/// missing. A name it does not know is an error, so that a misspelt opt-out
/// says so instead of failing for another reason.
pub fn allowed(list: Option<&str>, need: Need) -> Result<bool, String> {
    let mut allowed = false;
    for name in list.unwrap_or("").split(',').map(str::trim) {
        if name.is_empty() {
            continue;
        }
        if name == "all" || name == need.key() {
            allowed = true;
        } else if !Need::ALL.iter().any(|n| n.key() == name) {
            let known: Vec<&str> = Need::ALL.iter().map(|n| n.key()).collect();
            return Err(format!(
                "{ALLOW_MISSING_VAR} names `{name}`, which is none of {}, all",
                known.join(", ")
            ));
        }
    }
    Ok(allowed)
}

/// Called by a test that found `need` missing; `what` says what exactly.
/// Fails the test with how to install it, unless `CRUSCOTTO_ALLOW_MISSING`
/// allows it: then it prints the `SKIPPED` line and the caller returns.
#[track_caller]
pub fn missing(need: Need, what: &str) {
    let list = std::env::var(ALLOW_MISSING_VAR).ok();
    if let Err(failure) = decide(list.as_deref(), need, what) {
        panic!("{failure}");
    }
    // Straight to the process's stderr: libtest captures `eprintln!` of a
    // passing test, and a skip must show in every run.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {}: {what}", test_name());
}

/// What [`missing`] does for the opt-outs `list`: `Ok` to skip, or the
/// failure message.
pub fn decide(list: Option<&str>, need: Need, what: &str) -> Result<(), String> {
    if allowed(list, need)? {
        return Ok(());
    }
    Err(format!(
        "{what}: {}. scripts/test.sh installs everything the tests need and starts \
         Postgres; to run without it, set {ALLOW_MISSING_VAR}={} and the test is skipped",
        need.install(),
        need.key()
    ))
}

/// The running test's name: libtest names the thread of each test after it.
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => "a test".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_listed_may_be_missing() {
        assert_eq!(allowed(None, Need::Postgres), Ok(false));
        assert_eq!(allowed(Some(""), Need::Browser), Ok(false));
        assert_eq!(allowed(Some("browser"), Need::Postgres), Ok(false));
        assert_eq!(allowed(Some("browser, postgres"), Need::Postgres), Ok(true));
        assert_eq!(allowed(Some("all"), Need::Pdftotext), Ok(true));
        let e = allowed(Some("postgress"), Need::Audit).unwrap_err();
        assert!(e.contains("`postgress`"), "{e}");
    }

    #[test]
    fn a_missing_tool_fails_with_how_to_install_it_unless_allowed() {
        let what = "pdftotext is not on PATH";
        let failure = decide(None, Need::Pdftotext, what).unwrap_err();
        assert!(failure.starts_with(what), "{failure}");
        assert!(
            failure.contains("apt-get install poppler-utils"),
            "{failure}"
        );
        assert!(
            failure.contains("CRUSCOTTO_ALLOW_MISSING=pdftotext"),
            "{failure}"
        );
        assert_eq!(decide(Some("pdftotext"), Need::Pdftotext, what), Ok(()));
        assert!(decide(Some("browser"), Need::Pdftotext, what).is_err());
    }
}
