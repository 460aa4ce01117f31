//! How much a document holds, counted the same way wherever it is reported
//! (`cruscotto mapping import`) or checked (the tests).

use crate::model::PlanDocument;

/// The number of each kind of thing a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DocumentCounts {
    pub objectives: usize,
    /// Indicators, of every objective.
    pub indicators: usize,
    /// Targets, of every indicator.
    pub targets: usize,
    /// Phases, of every objective.
    pub phases: usize,
    pub areas: usize,
    /// Ambiti, of every area.
    pub ambiti: usize,
}

impl DocumentCounts {
    pub fn of(doc: &PlanDocument) -> DocumentCounts {
        let indicators = doc.objectives.iter().flat_map(|o| &o.indicators);
        DocumentCounts {
            objectives: doc.objectives.len(),
            indicators: indicators.clone().count(),
            targets: indicators.map(|i| i.targets.len()).sum(),
            phases: doc.objectives.iter().map(|o| o.phases.len()).sum(),
            areas: doc.areas.len(),
            ambiti: doc.areas.iter().map(|a| a.ambiti.len()).sum(),
        }
    }
}
