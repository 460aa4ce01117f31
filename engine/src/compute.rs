//! One computation: the calculator chosen from the registry, the inputs
//! asked of storage, the reuse decision, the run and the stored value.

use std::time::Instant;

use cruscotto_calculators::{Diagnostic, Period, Provenance, Registry};

use crate::error::ComputeError;
use crate::inputs;
use crate::values::{new_value_row, stored, StoredValue};
use crate::Engine;

impl Engine<'_> {
    /// Computes an indicator for a period and stores the value with its
    /// provenance, or returns the stored one when nothing changed (see the
    /// crate documentation). `who` is recorded as `computed_by`.
    pub fn compute_indicator(
        &self,
        registry: &Registry,
        indicator_id: i32,
        period: &Period,
        who: &str,
    ) -> Result<StoredValue, ComputeError> {
        let bound = self.db.bound_indicator(indicator_id)?;
        let calculator_id = bound
            .calculator_id
            .clone()
            .ok_or_else(|| ComputeError::NoBinding {
                indicator: bound.label.clone(),
            })?;
        let calculator =
            registry
                .get(&calculator_id)
                .ok_or_else(|| ComputeError::UnknownCalculator {
                    indicator: bound.label.clone(),
                    calculator: calculator_id.clone(),
                })?;
        let params = match bound.calculator_params.as_deref().map(serde_json::from_str) {
            None => serde_json::json!({}),
            Some(Ok(serde_json::Value::Null)) => serde_json::json!({}),
            Some(Ok(v @ serde_json::Value::Object(_))) => v,
            Some(_) => {
                return Err(ComputeError::InvalidParams {
                    indicator: bound.label.clone(),
                    params: bound.calculator_params.clone().unwrap_or_default(),
                })
            }
        };
        let descriptor = calculator.descriptor().clone();
        let started = Instant::now();
        let specs = &descriptor.inputs;
        // Storage reads in one snapshot and releases its connections before
        // the calculator runs.
        let rows = self.db.read_inputs(&bound, inputs::wanted(specs), period)?;
        let loaded = inputs::build(specs, period, rows)?;
        let loaded_in = started.elapsed();
        let provenance = Provenance::new(&descriptor, &loaded.inputs, period, &params);
        if let Some(latest) = loaded.latest {
            let same = latest.fields.input_fingerprint == provenance.input_fingerprint
                && latest.fields.calculator_id == descriptor.id
                && latest.fields.calculator_version == descriptor.version;
            if same {
                tracing::debug!(indicator = %bound.label, %period, "inputs unchanged: stored value reused");
                return Ok(stored(latest, true)?);
            }
        }
        let computing = Instant::now();
        let mut result = calculator.compute(&loaded.inputs, period, &params)?;
        if loaded.skipped_measurements > 0 {
            result.diagnostics.push(Diagnostic::new(
                "measurement_without_component",
                format!(
                    "{} measurements in the period lacked the numerator or denominator the calculator reads and were left out",
                    loaded.skipped_measurements
                ),
            ));
        }
        tracing::info!(
            indicator = %bound.label,
            %period,
            calculator = %descriptor.id,
            load_ms = loaded_in.as_millis() as u64,
            compute_ms = computing.elapsed().as_millis() as u64,
            "indicator computed"
        );
        let row = new_value_row(indicator_id, &result, &provenance, &params, who);
        Ok(stored(self.db.insert_value(&row)?, false)?)
    }
}
