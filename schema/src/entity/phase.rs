//! The writer and the reads of `phases` and of the progress recorded on them
//! (`phase_progress`). Compiled once per backend (`entity/mod.rs`), with
//! `Conn` from the parent.

use diesel::prelude::*;

use super::changed;
use super::Conn;
use crate::calc::rows::NewPhaseProgress;
use crate::graph::PhaseChanges;
use crate::rows;
use crate::schema::{phase_progress, phases};

/// Inserts phases, [`INSERT_CHUNK`](super::INSERT_CHUNK) per
/// statement.
pub(crate) fn insert(conn: &mut Conn, rows: &[rows::NewPhase]) -> QueryResult<()> {
    insert_chunks!(phases::table, rows, conn)
}

/// Overwrites every column of phase `id` with `row` (a re-import; phases
/// are versioned through their objective).
pub(crate) fn replace(conn: &mut Conn, id: i32, row: &rows::NewPhase) -> QueryResult<usize> {
    diesel::update(phases::table.find(id))
        .set(row)
        .execute(conn)
}

/// Applies `changes` to phase `id`; nothing when no field changes.
pub(crate) fn update(conn: &mut Conn, id: i32, changes: &PhaseChanges) -> QueryResult<usize> {
    changed(
        diesel::update(phases::table.find(id))
            .set(changes)
            .execute(conn),
    )
}

delete_by_ids!(phases);

/// Records how complete a phase was in a period, replacing what was
/// recorded before for the same phase and period.
pub(crate) fn upsert_progress(conn: &mut Conn, row: &NewPhaseProgress<'_>) -> QueryResult<usize> {
    diesel::insert_into(phase_progress::table)
        .values(row)
        .on_conflict((phase_progress::phase_id, phase_progress::period))
        .do_update()
        .set(row)
        .execute(conn)
}

// ---- reads ----------------------------------------------------------------
#[allow(unused_imports)]
use super::lower;
#[allow(unused_imports)]
use super::read::*;
load_by!(
    phases_by_ids,
    i32,
    phases,
    phases::id,
    rows::Phase,
    phases::id
);

load_by!(
    phases_of_objectives,
    i32,
    phases,
    phases::objective_id,
    rows::Phase,
    (phases::objective_id, phases::position, phases::id)
);
