//! Provenance: a fingerprint of everything a computation read, so that a
//! stored result can be checked against a recomputation with changed inputs.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::contract::{Descriptor, Source};
use crate::inputs::Inputs;
use crate::period::Period;

/// How a stored value was produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Calculator id.
    pub calculator_id: String,
    /// Calculator version.
    pub calculator_version: String,
    /// `builtin` or the plugin library path.
    pub source: String,
    /// Period computed.
    pub period: Period,
    /// SHA-256 (hex) of the canonical serialization of inputs and params.
    pub input_fingerprint: String,
}

impl Provenance {
    /// The provenance of computing `descriptor` over these inputs.
    pub fn new(
        descriptor: &Descriptor,
        inputs: &Inputs,
        period: &Period,
        params: &serde_json::Value,
    ) -> Self {
        Self {
            calculator_id: descriptor.id.clone(),
            calculator_version: descriptor.version.clone(),
            source: match &descriptor.source {
                Source::Builtin => "builtin".into(),
                Source::Plugin(path) => path.display().to_string(),
            },
            period: *period,
            input_fingerprint: input_fingerprint(inputs, period, params),
        }
    }
}

/// SHA-256 over a canonical serialization of the inputs, the period and the
/// params.
///
/// Canonical means: every section is tagged and length-prefixed; numbers are
/// little-endian; decimals are written normalised (so `1.50` and `1.5`
/// agree); series are in the order given (order is part of the input); JSON
/// objects are written with keys sorted, whatever map type `serde_json` was
/// built with. The fingerprint changes when any value changes and only then.
pub fn input_fingerprint(inputs: &Inputs, period: &Period, params: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    h.update(b"cruscotto-inputs-v1\0");
    h.update(period.to_string().as_bytes());
    h.update(b"\0");
    if let Some(table) = &inputs.payments {
        let c = table.columns();
        h.update(b"payments\0");
        h.update((c.amount_cents.len() as u64).to_le_bytes());
        // Values go through a buffer: hashing eight bytes at a time would
        // spend more time in call overhead than in SHA-256 itself.
        let mut buf = Vec::with_capacity(64 * 1024);
        for chunk in c.amount_cents.chunks(8 * 1024) {
            buf.clear();
            chunk
                .iter()
                .for_each(|v| buf.extend_from_slice(&v.to_le_bytes()));
            h.update(&buf);
        }
        for col in [c.invoice_date, c.due_date, c.payment_date, c.suspended_days] {
            for chunk in col.chunks(16 * 1024) {
                buf.clear();
                chunk
                    .iter()
                    .for_each(|v| buf.extend_from_slice(&v.to_le_bytes()));
                h.update(&buf);
            }
        }
    }
    for (name, series) in &inputs.series {
        h.update(b"series\0");
        h.update(name.as_bytes());
        h.update(b"\0");
        h.update((series.len() as u64).to_le_bytes());
        for (date, value) in series.iter() {
            h.update(crate::period::day_number(date).to_le_bytes());
            h.update(value.normalize().to_string().as_bytes());
            h.update(b"\0");
        }
    }
    h.update(b"phases\0");
    h.update((inputs.phases.len() as u64).to_le_bytes());
    for p in &inputs.phases {
        for text in [
            p.code.clone(),
            p.weight.normalize().to_string(),
            p.completion_percent.normalize().to_string(),
        ] {
            h.update(text.as_bytes());
            h.update(b"\0");
        }
    }
    h.update(b"params\0");
    let mut canonical = String::new();
    canonical_json(params, &mut canonical);
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

fn canonical_json(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*k) {
                    canonical_json(v, out);
                }
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::{PaymentTable, Series};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    fn inputs(amount: i64) -> Inputs {
        Inputs::with_payments(
            PaymentTable::from_columns(
                vec![amount],
                vec![18_000],
                vec![18_030],
                vec![18_040],
                vec![0],
            )
            .unwrap(),
        )
    }

    #[test]
    fn the_fingerprint_changes_when_an_input_changes_and_only_then() {
        let p = Period::year(2020).unwrap();
        let params = serde_json::json!({"default_term_days": 30});
        assert_eq!(
            input_fingerprint(&inputs(100), &p, &params),
            input_fingerprint(&inputs(100), &p, &params)
        );
        assert_ne!(
            input_fingerprint(&inputs(100), &p, &params),
            input_fingerprint(&inputs(101), &p, &params)
        );
        assert_ne!(
            input_fingerprint(&inputs(100), &p, &params),
            input_fingerprint(
                &inputs(100),
                &p,
                &serde_json::json!({"default_term_days": 60})
            )
        );
        assert_ne!(
            input_fingerprint(&inputs(100), &p, &params),
            input_fingerprint(&inputs(100), &Period::quarter(2020, 1).unwrap(), &params)
        );
    }

    #[test]
    fn the_fingerprint_ignores_key_order_and_trailing_decimal_zeros() {
        let p = Period::year(2020).unwrap();
        let d = NaiveDate::from_ymd_opt(2020, 5, 1).unwrap();
        let a =
            Inputs::default().with_series("numerator", Series::new().with(d, Decimal::new(150, 2)));
        let b =
            Inputs::default().with_series("numerator", Series::new().with(d, Decimal::new(15, 1)));
        let pa: serde_json::Value = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        let pb: serde_json::Value = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
        assert_eq!(
            input_fingerprint(&a, &p, &pa),
            input_fingerprint(&b, &p, &pb)
        );
    }
}
