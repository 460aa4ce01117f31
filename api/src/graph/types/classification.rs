//! The budget classification: missions, programs, actions.

use super::*;

/// A mission of the state budget (*Missione*), e.g. `26 - Politiche per il
/// lavoro`. Shared by all plans.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Mission {
    #[graphql(skip)]
    pub db_id: i32,
    /// The mission's code, e.g. `26`.
    pub code: String,
    /// The mission's name.
    pub name: String,
}

impl From<rows::Mission> for Mission {
    fn from(r: rows::Mission) -> Self {
        Mission {
            db_id: r.id,
            code: r.code,
            name: r.name,
        }
    }
}

complex_object! {
    impl Mission {
        /// The mission's global id.
        id;

        /// The programs of the mission, in budget order (1.1, 1.2, 1.10).
        list programs: Program = ProgramsOfMission;
    }
}

/// A program of the state budget (*Programma*), e.g. `26.7`.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Program {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub mission_id: i32,
    /// The program's code, e.g. `26.7`.
    pub code: String,
    /// The program's name.
    pub name: String,
}

impl From<rows::Program> for Program {
    fn from(r: rows::Program) -> Self {
        Program {
            db_id: r.id,
            mission_id: r.mission_id,
            code: r.code,
            name: r.name,
        }
    }
}

complex_object! {
    impl Program {
        /// The program's global id.
        id;

        /// The mission the program belongs to.
        parent mission: Mission = MissionById(mission_id);

        /// The actions of the program, by name.
        list actions: Action = ActionsOfProgram;
    }
}

/// An action of the state budget (*Azione*); actions have no code, their
/// name identifies them within their program.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Action {
    #[graphql(skip)]
    pub db_id: i32,
    #[graphql(skip)]
    pub program_id: i32,
    /// The action's name.
    pub name: String,
}

impl From<rows::Action> for Action {
    fn from(r: rows::Action) -> Self {
        Action {
            db_id: r.id,
            program_id: r.program_id,
            name: r.name,
        }
    }
}

complex_object! {
    impl Action {
        /// The action's global id.
        id;

        /// The program the action belongs to.
        parent program: Program = ProgramById(program_id);

        /// The objectives the action finances, of every plan.
        list objectives: Objective = ObjectivesOfAction;
    }
}

/// One row of an objective's financial resources: Missione → Programma →
/// Azione.
#[derive(Debug, Clone, SimpleObject)]
pub struct BudgetLink {
    /// The mission.
    pub mission: Mission,
    /// The program.
    pub program: Program,
    /// The action.
    pub action: Action,
}
