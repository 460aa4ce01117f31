//! `/metrics`: the service's measurements in the Prometheus text format —
//! requests by route, method and status, their latency, requests in flight
//! and GraphQL errors by `extensions.code`. Written out by hand: the format
//! is a few lines of text and the registry a few maps.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{web, HttpResponse};

use super::Service;

/// Upper bounds of the latency buckets, in seconds: from a cached-looking
/// answer to the default request time limit.
const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];

/// The measurements, shared by every worker.
#[derive(Debug, Default)]
pub struct Metrics {
    in_flight: AtomicI64,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// (route, method, status) → count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → latency histogram.
    latency: BTreeMap<String, Histogram>,
    /// `extensions.code` → count.
    graphql_errors: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Metrics {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves counters that are still
        // counters: keep using them rather than failing every request.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a finished request. `route` is the matched route pattern
    /// (never the raw path, which would make a label per URL).
    pub(crate) fn request_finished(
        &self,
        route: &str,
        method: &str,
        status: u16,
        elapsed: Duration,
    ) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        let seconds = elapsed.as_secs_f64();
        let mut inner = self.inner();
        *inner
            .requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let histogram = inner.latency.entry(route.to_string()).or_default();
        let bucket = BUCKETS
            .iter()
            .position(|&le| seconds <= le)
            .unwrap_or(BUCKETS.len());
        histogram.counts[bucket] += 1;
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// Counts one GraphQL error sent to a client.
    pub(crate) fn graphql_error(&self, code: &str) {
        *self
            .inner()
            .graphql_errors
            .entry(code.to_string())
            .or_default() += 1;
    }

    /// The exposition in the Prometheus text format, version 0.0.4.
    pub fn render(&self) -> String {
        let inner = self.inner();
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored.
        let _ = writeln!(out, "# HELP cruscotto_http_requests_total HTTP requests answered, by route, method and status.");
        let _ = writeln!(out, "# TYPE cruscotto_http_requests_total counter");
        for ((route, method, status), count) in &inner.requests {
            let _ = writeln!(
                out,
                "cruscotto_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
                escape(route),
                escape(method)
            );
        }
        let _ = writeln!(out, "# HELP cruscotto_http_request_duration_seconds Time to answer an HTTP request, by route.");
        let _ = writeln!(
            out,
            "# TYPE cruscotto_http_request_duration_seconds histogram"
        );
        for (route, h) in &inner.latency {
            let route = escape(route);
            let mut cumulative = 0;
            for (i, le) in BUCKETS.iter().enumerate() {
                cumulative += h.counts[i];
                let _ = writeln!(
                    out,
                    "cruscotto_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "cruscotto_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "cruscotto_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "cruscotto_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP cruscotto_http_requests_in_flight HTTP requests being answered now."
        );
        let _ = writeln!(out, "# TYPE cruscotto_http_requests_in_flight gauge");
        let _ = writeln!(
            out,
            "cruscotto_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP cruscotto_graphql_errors_total GraphQL errors sent to clients, by extensions.code.");
        let _ = writeln!(out, "# TYPE cruscotto_graphql_errors_total counter");
        for (code, count) in &inner.graphql_errors {
            let _ = writeln!(
                out,
                "cruscotto_graphql_errors_total{{code=\"{}\"}} {count}",
                escape(code)
            );
        }
        out
    }
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `GET /metrics`.
pub(crate) async fn metrics(service: web::Data<Service>) -> HttpResponse {
    let mut body = service.metrics.render();
    let _ = writeln!(
        body,
        "# HELP cruscotto_sql_statements_total SQL statements this process has sent, pool health checks excluded."
    );
    let _ = writeln!(body, "# TYPE cruscotto_sql_statements_total counter");
    let _ = writeln!(
        body,
        "cruscotto_sql_statements_total {}",
        cruscotto_store::graph::stats::statements_sent()
    );
    let _ = writeln!(
        body,
        "# HELP cruscotto_sql_health_checks_total Pool health checks (SELECT 1 before handing out a connection idle for over 500 ms)."
    );
    let _ = writeln!(body, "# TYPE cruscotto_sql_health_checks_total counter");
    let _ = writeln!(
        body,
        "cruscotto_sql_health_checks_total {}",
        cruscotto_store::graph::stats::health_checks_sent()
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_end_with_inf() {
        let m = Metrics::default();
        m.request_started();
        m.request_finished("/graphql", "POST", 200, Duration::from_millis(3));
        m.request_started();
        m.request_finished("/graphql", "POST", 400, Duration::from_secs(60));
        let text = m.render();
        assert!(text.contains("cruscotto_http_requests_total{route=\"/graphql\",method=\"POST\",status=\"200\"} 1"), "{text}");
        assert!(
            text.contains(
                "cruscotto_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.001\"} 0"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "cruscotto_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "cruscotto_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"30\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "cruscotto_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"+Inf\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains("cruscotto_http_requests_in_flight 0"),
            "{text}"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
