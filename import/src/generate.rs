//! The deterministic data generator: plans of any size for load tests and
//! demos, built from a fixed-seed PRNG so that the same scale always gives
//! the same document (and the same JSON, byte for byte).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use serde_json::json;

use crate::measure::parse_measure;
use crate::model::{
    BudgetLink, CalculatorBinding, Direction, Indicator, LinkedObjective, MaxScore, Measurement,
    Objective, Phase, PlanDocument, PlanInfo, PlanKind, ResponsibilityCentre, Target, Unit,
    FORMAT_VERSION,
};

/// The years every generated plan covers.
const YEARS: [i32; 3] = [2024, 2025, 2026];

/// A plan with `scale` missions × `scale` programs × `scale` objectives,
/// each objective with `scale` indicators (three yearly targets and twelve
/// monthly measurements of 2024 each) and four phases weighing 100 in all.
/// Scale 10 gives 1,000 objectives, 10,000 indicators, 30,000 targets and
/// 120,000 measurements.
pub fn generate(scale: u32) -> PlanDocument {
    let mut rng = SplitMix64::new(0x00c0_ffee_5eed_0000 ^ u64::from(scale));
    let mut objectives = Vec::new();
    let mut measurements = Vec::new();
    let mut serial: u64 = 0;

    for m in 1..=scale {
        let mission_name = pick_numbered(MISSIONS, m);
        let centre = ResponsibilityCentre {
            name: format!("Direzione generale {m} - {}", mission_name.to_lowercase()),
            head: Some(format!(
                "{} {}",
                pick(&mut rng, FIRST_NAMES),
                pick(&mut rng, LAST_NAMES)
            )),
        };
        for p in 1..=scale {
            let program_code = format!("{m}.{p}");
            let budget = BudgetLink {
                mission_code: m.to_string(),
                mission_name: mission_name.clone(),
                program_code: program_code.clone(),
                program_name: format!("{} - linea {p}", pick(&mut rng, THEMES_CAPITALISED)),
                action: format!("Azione {program_code}: {}", pick(&mut rng, ACTIONS)),
            };
            for o in 1..=scale {
                serial += 1;
                let code = format!("M{m}.P{p}.O{o}");
                let objective = generate_objective(
                    &mut rng,
                    &code,
                    serial,
                    scale,
                    &centre,
                    &budget,
                    &mut measurements,
                );
                objectives.push(objective);
            }
        }
    }

    PlanDocument {
        format: FORMAT_VERSION.to_string(),
        plan: PlanInfo {
            code: format!("generated-{scale}"),
            kind: PlanKind::AnnualObjectives,
            administration: Some("Amministrazione dimostrativa".to_string()),
            title: format!("Piano generato (scala {scale}) 2024-2026"),
            first_year: YEARS[0],
            last_year: YEARS[2],
            notes: vec!["Dati generati: nessun contenuto reale.".to_string()],
        },
        objectives,
        areas: Vec::new(),
        measurements,
        findings: Vec::new(),
        sources: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn generate_objective(
    rng: &mut SplitMix64,
    code: &str,
    serial: u64,
    scale: u32,
    centre: &ResponsibilityCentre,
    budget: &BudgetLink,
    measurements: &mut Vec<Measurement>,
) -> Objective {
    let theme = pick(rng, THEMES);
    let title = format!("{} {} per la {theme}", pick(rng, VERBS), pick(rng, OBJECTS));
    let description = format!(
        "<p>L'obiettivo {code} riguarda la {theme}: {} entro la fine dell'anno, con il concorso degli uffici territoriali.</p>",
        pick(rng, ACTIONS).to_lowercase()
    );
    let offices: Vec<String> = (1..=2)
        .map(|k| format!("Ufficio {}.{k}", budget.program_code))
        .collect();

    let mut indicators = Vec::new();
    for i in 1..=scale {
        let kind = (serial + u64::from(i)) % 4;
        let indicator = generate_indicator(rng, i, kind);
        for month in 1..=12u32 {
            measurements.push(generate_measurement(rng, code, &indicator, kind, month));
        }
        indicators.push(indicator);
    }

    Objective {
        code: code.to_string(),
        year: YEARS[0],
        title,
        description,
        responsibility_centre: centre.clone(),
        offices_text: offices.join(", "),
        offices,
        strategic_objectives: vec![LinkedObjective {
            code: budget.mission_code.clone(),
            title: format!(
                "Rafforzare le politiche di {}",
                budget.mission_name.to_lowercase()
            ),
        }],
        annual_objectives: vec![LinkedObjective {
            code: budget.program_code.clone(),
            title: budget.program_name.clone(),
        }],
        strategic_objectives_text: String::new(),
        annual_objectives_text: String::new(),
        other_offices: "Segreteria tecnica, Ufficio bilancio".to_string(),
        external_bodies: String::new(),
        start_date: date(YEARS[0], 1, 1),
        end_date: date(YEARS[0], 12, 31),
        max_score: Some(MaxScore {
            points: i32::try_from(rng.range(5, 30)).unwrap_or(10),
            out_of: 100,
        }),
        budget: vec![budget.clone()],
        indicators,
        phases: generate_phases(rng, code),
        amended_fields: Vec::new(),
        notes: Vec::new(),
    }
}

/// Four indicator families, mixed across objectives: payment timeliness
/// (days, lower is better, `<=30`), a ratio, a count and a percentage.
fn generate_indicator(rng: &mut SplitMix64, number: u32, kind: u64) -> Indicator {
    let (description, method, unit, direction, calculator, baseline, targets): (
        String,
        String,
        Unit,
        Direction,
        &str,
        String,
        [String; 3],
    ) = match kind {
        0 => (
            "Tempestività dei pagamenti".to_string(),
            "Media dei giorni di ritardo dei pagamenti, ponderata per gli importi".to_string(),
            Unit::Days,
            Direction::LowerIsBetter,
            "payment_timeliness",
            format!("{}gg", rng.range(25, 45)),
            ["<=30".into(), "<=30".into(), "<=30".into()],
        ),
        1 => {
            let base = rng.range(50, 80);
            (
                format!("Pratiche {} chiuse nei termini", pick(rng, PRACTICES)),
                "Rapporto tra pratiche chiuse nei termini e pratiche ricevute".to_string(),
                Unit::Percent,
                Direction::HigherIsBetter,
                "ratio_percent",
                format!("{base}%"),
                [
                    format!(">={}%", base + 5),
                    format!(">={}%", base + 10),
                    format!(">={}%", base + 15),
                ],
            )
        }
        2 => {
            let base = rng.range(5, 40);
            (
                format!("Iniziative di {} realizzate", pick(rng, THEMES)),
                "Numero di iniziative concluse nell'anno".to_string(),
                Unit::Count,
                Direction::HigherIsBetter,
                "count",
                base.to_string(),
                [
                    (base + 2).to_string(),
                    (base + 4).to_string(),
                    (base + 6).to_string(),
                ],
            )
        }
        _ => (
            format!("Copertura dei {} digitalizzati", pick(rng, PRACTICES)),
            "Percentuale dei procedimenti gestiti interamente in via telematica".to_string(),
            Unit::Percent,
            Direction::HigherIsBetter,
            "ratio_percent",
            format!("{}%", rng.range(10, 60)),
            ["70%".into(), "80%".into(), "90%".into()],
        ),
    };
    Indicator {
        code: number.to_string(),
        description,
        method,
        kind: if kind == 2 { "Efficacia" } else { "Efficienza" }.to_string(),
        unit,
        direction,
        baseline: Some(parse_measure(&baseline)),
        targets: YEARS
            .iter()
            .zip(targets)
            .map(|(year, raw)| Target {
                year: *year,
                value: parse_measure(&raw),
                amended: false,
            })
            .collect(),
        calculator: Some(CalculatorBinding {
            calculator: calculator.to_string(),
            params: json!({}),
            guessed: false,
        }),
        amended_fields: Vec::new(),
    }
}

/// A monthly value. Payment timeliness and percentages keep numerator and
/// denominator, because yearly values must be re-aggregated from them, not
/// averaged.
fn generate_measurement(
    rng: &mut SplitMix64,
    objective: &str,
    indicator: &Indicator,
    kind: u64,
    month: u32,
) -> Measurement {
    let (value, numerator, denominator) = match kind {
        0 => {
            // Amounts in cents, delays in hundredths of a day (early
            // payments are negative).
            let amounts = Decimal::new(
                i64::try_from(rng.range(5_000_000, 90_000_000)).unwrap_or(0),
                2,
            );
            let delay = Decimal::new(i64::try_from(rng.range(0, 5_000)).unwrap_or(0) - 1_000, 2);
            let weighted = (amounts * delay).round_dp(2);
            let value = (weighted / amounts).round_dp(2);
            (value, Some(weighted), Some(amounts))
        }
        1 | 3 => {
            let due = rng.range(20, 400);
            let done = due - rng.range(0, due / 3);
            let (num, den) = (Decimal::from(done), Decimal::from(due));
            let value = (num * Decimal::from(100) / den).round_dp(2);
            (value, Some(num), Some(den))
        }
        _ => (Decimal::from(rng.range(0, 6)), None, None),
    };
    let (next_year, next_month) = if month == 12 {
        (YEARS[0] + 1, 1)
    } else {
        (YEARS[0], month + 1)
    };
    Measurement {
        objective: objective.to_string(),
        indicator: indicator.code.clone(),
        period: format!("{}-{month:02}", YEARS[0]),
        value,
        numerator,
        denominator,
        source: "generatore".to_string(),
        recorded_by: "generator".to_string(),
        recorded_at: NaiveDateTime::new(
            date(next_year, next_month, 5).unwrap_or_default(),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        ),
    }
}

/// Four phases, one per quarter, whose weights sum to 100.
fn generate_phases(rng: &mut SplitMix64, objective: &str) -> Vec<Phase> {
    let mut weights: Vec<u64> = (0..3).map(|_| rng.range(15, 30)).collect();
    weights.push(100 - weights.iter().sum::<u64>());
    let quarters = [(1, 1, 3, 31), (4, 1, 6, 30), (7, 1, 9, 30), (10, 1, 12, 31)];
    weights
        .iter()
        .zip(quarters)
        .enumerate()
        .map(|(k, (weight, (m1, d1, m2, d2)))| Phase {
            code: format!("{objective}.F{}", k + 1),
            description: format!("{} {}", PHASE_STEPS[k], pick(rng, OBJECTS)),
            start_date: date(YEARS[0], m1, d1),
            end_date: date(YEARS[0], m2, d2),
            expected_result: pick(rng, RESULTS).to_string(),
            weight: Some(Decimal::from(*weight)),
            amended_fields: Vec::new(),
        })
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn pick(rng: &mut SplitMix64, words: &[&'static str]) -> &'static str {
    let len = u64::try_from(words.len()).unwrap_or(1).max(1);
    let index = usize::try_from(rng.next_u64() % len).unwrap_or(0);
    words.get(index).copied().unwrap_or_default()
}

/// The n-th word of a list (1-based), numbered once the list runs out.
fn pick_numbered(words: &[&str], n: u32) -> String {
    let index = usize::try_from(n.saturating_sub(1)).unwrap_or(0);
    match words.get(index) {
        Some(word) => (*word).to_string(),
        None => format!("{} {}", words[index % words.len()], index / words.len() + 1),
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for
/// test data; written here so the output never depends on a crate version.
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..=high` (slightly biased; irrelevant here).
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }
}

const MISSIONS: &[&str] = &[
    "Servizi istituzionali e generali",
    "Tutela del territorio",
    "Mobilità e trasporti",
    "Istruzione e cultura",
    "Sviluppo economico",
    "Politiche sociali",
    "Salute pubblica",
    "Ricerca e innovazione",
    "Sicurezza dei cittadini",
    "Relazioni internazionali",
];
const THEMES: &[&str] = &[
    "digitalizzazione dei servizi",
    "semplificazione amministrativa",
    "gestione del personale",
    "qualità dei dati",
    "trasparenza",
    "formazione interna",
    "sostenibilità ambientale",
    "comunicazione ai cittadini",
];
const THEMES_CAPITALISED: &[&str] = &[
    "Servizi digitali",
    "Procedure semplificate",
    "Risorse umane",
    "Dati e statistiche",
    "Controlli interni",
    "Rapporti con gli enti locali",
];
const VERBS: &[&str] = &[
    "Potenziare",
    "Consolidare",
    "Riorganizzare",
    "Estendere",
    "Rinnovare",
];
const OBJECTS: &[&str] = &[
    "gli sportelli",
    "le procedure di acquisto",
    "i sistemi informativi",
    "la rete dei referenti",
    "il cruscotto direzionale",
    "gli archivi correnti",
];
const ACTIONS: &[&str] = &[
    "Avviare un servizio di prenotazione in rete",
    "Ridurre i passaggi di firma",
    "Pubblicare i dati in formato aperto",
    "Uniformare la modulistica",
    "Formare i referenti di ogni ufficio",
];
const PRACTICES: &[&str] = &[
    "istanze",
    "autorizzazioni",
    "rimborsi",
    "contributi",
    "segnalazioni",
];
const PHASE_STEPS: [&str; 4] = [
    "Analisi e progettazione:",
    "Avvio:",
    "Estensione:",
    "Verifica finale:",
];
const RESULTS: &[&str] = &[
    "Documento di progetto approvato",
    "Servizio attivo",
    "Relazione di monitoraggio",
    "Report trimestrale",
];
const FIRST_NAMES: &[&str] = &["Giulia", "Marco", "Chiara", "Luca", "Elena", "Paolo"];
const LAST_NAMES: &[&str] = &["Ferraris", "Colombo", "Marini", "Gallo", "Rinaldi", "Serra"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic() {
        assert_eq!(generate(2), generate(2));
        assert_eq!(
            crate::json::to_json(&generate(3)),
            crate::json::to_json(&generate(3))
        );
    }

    #[test]
    fn scale_two_has_the_documented_counts() {
        let doc = generate(2);
        assert_eq!(doc.plan.code, "generated-2");
        assert_eq!(doc.objectives.len(), 8);
        let indicators: usize = doc.objectives.iter().map(|o| o.indicators.len()).sum();
        assert_eq!(indicators, 16);
        assert_eq!(doc.measurements.len(), 16 * 12);
        assert!(crate::validate::findings(&doc).is_empty());
    }

    #[test]
    fn scale_ten_has_the_documented_counts() {
        let doc = generate(10);
        assert_eq!(doc.objectives.len(), 1_000);
        let indicators: Vec<&Indicator> =
            doc.objectives.iter().flat_map(|o| &o.indicators).collect();
        assert_eq!(indicators.len(), 10_000);
        let targets: usize = indicators.iter().map(|i| i.targets.len()).sum();
        assert_eq!(targets, 30_000);
        assert_eq!(doc.measurements.len(), 120_000);
        let phases: usize = doc.objectives.iter().map(|o| o.phases.len()).sum();
        assert_eq!(phases, 4_000);
        let codes: std::collections::HashSet<&str> =
            doc.objectives.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes.len(), 1_000);
        assert!(indicators
            .iter()
            .any(|i| i.unit == Unit::Days && i.direction == Direction::LowerIsBetter));
        assert!(indicators.iter().any(|i| i.unit == Unit::Percent));
        assert!(indicators.iter().any(|i| i.unit == Unit::Count));
        assert!(crate::validate::findings(&doc).is_empty());
    }
}
