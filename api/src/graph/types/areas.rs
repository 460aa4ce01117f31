//! Areas, ambiti and their yearly results of multi-year plans.

use super::*;

/// An area of a multi-year plan, e.g. `AREA INCLUSIONE SOCIALE E
/// LAVORATIVA`.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Area {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    /// Position of the area in the plan, from 0.
    pub position: i32,
    /// The area's name; absent where the document lacks the heading.
    pub name: Option<String>,
    /// What follows the name in the heading.
    pub subtitle: Option<String>,
    /// Narrative paragraphs before the first table.
    pub introduction: String,
}

impl From<rows::Area> for Area {
    fn from(r: rows::Area) -> Self {
        Area {
            db_id: r.id,
            plan_id: r.plan_id,
            position: r.position,
            name: r.name,
            subtitle: r.subtitle,
            introduction: r.introduction,
        }
    }
}

complex_object! {
    impl Area {
        /// The area's global id.
        id;

        /// The plan the area belongs to.
        parent plan: Plan = PlanById(plan_id);

        /// The area's ambiti, in document order.
        list ambiti: Ambito = AmbitiOfArea;
    }
}

/// An ambito: a thematic scope of an area with its three-year objective and
/// yearly results.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Ambito {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub area_id: i32,
    /// Position of the ambito in its area, from 0.
    pub position: i32,
    /// The ambito's name.
    pub name: String,
    /// The three-year objective (*Obiettivi quali-quantitativi*).
    pub objective: String,
}

impl From<rows::Ambito> for Ambito {
    fn from(r: rows::Ambito) -> Self {
        Ambito {
            db_id: r.id,
            area_id: r.area_id,
            position: r.position,
            name: r.name,
            objective: r.objective,
        }
    }
}

complex_object! {
    impl Ambito {
        /// The ambito's global id.
        id;

        /// The area the ambito belongs to.
        parent area: Area = AreaById(area_id);

        /// The ambito's yearly results, in the order of the table's columns.
        list results: AmbitoResult = ResultsOfAmbito;
    }
}

/// A planned or achieved result of an ambito for a year.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct AmbitoResult {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub ambito_id: i32,
    #[graphql(skip)]
    kind: ResultKind,
    /// The year of the result.
    pub year: i32,
    /// Narrative text as published (may contain HTML).
    pub text: String,
}

impl From<rows::AmbitoResult> for AmbitoResult {
    fn from(r: rows::AmbitoResult) -> Self {
        AmbitoResult {
            db_id: r.id,
            ambito_id: r.ambito_id,
            kind: r.kind.into(),
            year: r.year,
            text: r.text,
        }
    }
}

complex_object! {
    impl AmbitoResult {
        /// The result's global id.
        id;

        /// Whether the result was planned or achieved.
        async fn kind(&self) -> ResultKind {
            self.kind
        }

        /// The ambito the result belongs to.
        parent ambito: Ambito = AmbitoById(ambito_id);
    }
}
