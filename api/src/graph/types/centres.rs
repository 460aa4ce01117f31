//! Responsibility centres (CDR) and their offices.

use super::*;

/// A responsibility centre (*Centro di responsabilità amministrativa*,
/// CDR): a directorate-general of a plan with a named head.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct ResponsibilityCentre {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub plan_id: i32,
    /// The centre's name.
    pub name: String,
    /// The head of the centre (*Responsabile del CDR*).
    pub head: Option<String>,
}

impl From<rows::ResponsibilityCentre> for ResponsibilityCentre {
    fn from(r: rows::ResponsibilityCentre) -> Self {
        ResponsibilityCentre {
            db_id: r.id,
            plan_id: r.plan_id,
            name: r.name,
            head: r.head,
        }
    }
}

complex_object! {
    impl ResponsibilityCentre {
        /// The centre's global id.
        id;

        /// The plan the centre belongs to.
        parent plan: Plan = PlanById(plan_id);

        /// The centre's offices (*uffici dirigenziali di II livello*), by name.
        list offices: Office = OfficesOfCentre;

        /// The objectives the centre owns, filtered and paged.
        #[allow(clippy::too_many_arguments)]
        async fn objectives(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Only objectives of this year.")] year: Option<i32>,
            #[graphql(desc = "Only objectives financed by this mission (its code).")] mission: Option<
                String,
            >,
            #[graphql(desc = "Only objectives financed by this program (its code).")] program: Option<
                String,
            >,
            #[graphql(desc = "Case-insensitive text in code, title or description.")] search: Option<
                String,
            >,
            #[graphql(desc = "Sort order (default: document order).", default)]
            order_by: ObjectiveOrder,
            #[graphql(desc = "Items after the cursor `after`, at most this many.")] first: Option<i32>,
            #[graphql(desc = "Cursor of the item to continue after.")] after: Option<String>,
            #[graphql(desc = "Items before the cursor `before`, at most this many, from the end.")]
            last: Option<i32>,
            #[graphql(desc = "Cursor of the item to continue before.")] before: Option<String>,
        ) -> ApiResult<ObjectiveConnection> {
            let filter = ObjectiveArgs {
                year,
                mission,
                program,
                search,
                ..Default::default()
            }
            .filter()?;
            objectives_of(
                ctx,
                ObjectiveParent::ResponsibilityCentre,
                self.db_id,
                filter,
                order_by,
                PageArgs {
                    first,
                    after,
                    last,
                    before,
                },
            )
            .await
        }
    }
}

/// An office of a responsibility centre (*ufficio dirigenziale di II
/// livello*) that works on objectives.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Office {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub centre_id: i32,
    /// The office's name.
    pub name: String,
}

impl From<rows::Office> for Office {
    fn from(r: rows::Office) -> Self {
        Office {
            db_id: r.id,
            centre_id: r.responsibility_centre_id,
            name: r.name,
        }
    }
}

complex_object! {
    impl Office {
        /// The office's global id.
        id;

        /// The responsibility centre the office belongs to.
        parent responsibility_centre: ResponsibilityCentre = CentreById(centre_id);

        /// The objectives the office works on.
        list objectives: Objective = ObjectivesOfOffice;
    }
}
