//! Diesel table definitions, shared by both backends.
//!
//! The column types are the ones both SQLite and Postgres map the same way,
//! or [`crate::sql_types::Measure`] for the numbers of the domain;
//! `tests/schema_matches_database.rs` checks these declarations against the
//! tables the migrations create, on both backends.

diesel::table! {
    plans (id) {
        id -> Integer,
        code -> Text,
        kind -> Text,
        administration -> Nullable<Text>,
        title -> Text,
        first_year -> Integer,
        last_year -> Integer,
        notes -> Text,
        source_file -> Nullable<Text>,
        imported_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    missions (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        /// The code in budget order (`rows::budget_order_key`).
        sort_key -> Text,
    }
}

diesel::table! {
    programs (id) {
        id -> Integer,
        mission_id -> Integer,
        code -> Text,
        name -> Text,
        /// The code in budget order (`rows::budget_order_key`).
        sort_key -> Text,
    }
}

diesel::table! {
    actions (id) {
        id -> Integer,
        program_id -> Integer,
        name -> Text,
    }
}

diesel::table! {
    responsibility_centres (id) {
        id -> Integer,
        plan_id -> Integer,
        name -> Text,
        head -> Nullable<Text>,
    }
}

diesel::table! {
    offices (id) {
        id -> Integer,
        responsibility_centre_id -> Integer,
        name -> Text,
    }
}

diesel::table! {
    strategic_objectives (id) {
        id -> Integer,
        plan_id -> Integer,
        code -> Text,
        title -> Text,
    }
}

diesel::table! {
    annual_objectives (id) {
        id -> Integer,
        plan_id -> Integer,
        strategic_objective_id -> Nullable<Integer>,
        code -> Text,
        title -> Text,
    }
}

diesel::table! {
    objectives (id) {
        id -> Integer,
        plan_id -> Integer,
        responsibility_centre_id -> Integer,
        position -> Integer,
        code -> Text,
        year -> Integer,
        title -> Text,
        description -> Text,
        offices_text -> Text,
        strategic_objectives_text -> Text,
        annual_objectives_text -> Text,
        other_offices -> Text,
        external_bodies -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        max_score_points -> Nullable<Integer>,
        max_score_out_of -> Nullable<Integer>,
        amended_fields -> Text,
        notes -> Text,
        version -> Integer,
    }
}

diesel::table! {
    objective_offices (objective_id, office_id) {
        objective_id -> Integer,
        office_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    objective_strategic_objectives (objective_id, strategic_objective_id) {
        objective_id -> Integer,
        strategic_objective_id -> Integer,
        position -> Integer,
        title -> Text,
    }
}

diesel::table! {
    objective_annual_objectives (objective_id, annual_objective_id) {
        objective_id -> Integer,
        annual_objective_id -> Integer,
        position -> Integer,
        title -> Text,
    }
}

diesel::table! {
    objective_actions (objective_id, action_id) {
        objective_id -> Integer,
        action_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Measure;

    indicators (id) {
        id -> Integer,
        objective_id -> Integer,
        position -> Integer,
        code -> Text,
        description -> Text,
        method -> Text,
        kind -> Text,
        unit -> Text,
        direction -> Text,
        baseline_raw -> Nullable<Text>,
        baseline_comparator -> Nullable<Text>,
        baseline_number -> Nullable<Measure>,
        baseline_unit -> Nullable<Text>,
        baseline_note -> Nullable<Text>,
        calculator_id -> Nullable<Text>,
        calculator_params -> Nullable<Text>,
        calculator_guessed -> Bool,
        amended_fields -> Text,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Measure;

    targets (id) {
        id -> Integer,
        indicator_id -> Integer,
        year -> Integer,
        raw -> Text,
        comparator -> Nullable<Text>,
        number -> Nullable<Measure>,
        unit -> Nullable<Text>,
        note -> Nullable<Text>,
        amended -> Bool,
    }
}

diesel::table! {
    phases (id) {
        id -> Integer,
        objective_id -> Integer,
        position -> Integer,
        code -> Text,
        description -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        expected_result -> Text,
        weight_bp -> Nullable<Integer>,
        amended_fields -> Text,
    }
}

diesel::table! {
    areas (id) {
        id -> Integer,
        plan_id -> Integer,
        position -> Integer,
        name -> Nullable<Text>,
        subtitle -> Nullable<Text>,
        introduction -> Text,
    }
}

diesel::table! {
    ambiti (id) {
        id -> Integer,
        area_id -> Integer,
        position -> Integer,
        name -> Text,
        objective -> Text,
    }
}

diesel::table! {
    ambito_results (id) {
        id -> Integer,
        ambito_id -> Integer,
        position -> Integer,
        year -> Integer,
        kind -> Text,
        text -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Measure;

    measurements (id) {
        id -> Integer,
        indicator_id -> Integer,
        period -> Text,
        period_start -> Date,
        period_end -> Date,
        value -> Measure,
        numerator -> Nullable<Measure>,
        denominator -> Nullable<Measure>,
        source -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    findings (id) {
        id -> Integer,
        plan_id -> Integer,
        position -> Integer,
        entity -> Text,
        entity_code -> Text,
        code -> Text,
        message -> Text,
        line -> Nullable<Integer>,
        severity -> Text,
    }
}

diesel::joinable!(programs -> missions (mission_id));
diesel::joinable!(actions -> programs (program_id));
diesel::joinable!(responsibility_centres -> plans (plan_id));
diesel::joinable!(offices -> responsibility_centres (responsibility_centre_id));
diesel::joinable!(strategic_objectives -> plans (plan_id));
diesel::joinable!(annual_objectives -> plans (plan_id));
diesel::joinable!(annual_objectives -> strategic_objectives (strategic_objective_id));
diesel::joinable!(objectives -> plans (plan_id));
diesel::joinable!(objectives -> responsibility_centres (responsibility_centre_id));
diesel::joinable!(objective_offices -> objectives (objective_id));
diesel::joinable!(objective_offices -> offices (office_id));
diesel::joinable!(objective_strategic_objectives -> objectives (objective_id));
diesel::joinable!(objective_strategic_objectives -> strategic_objectives (strategic_objective_id));
diesel::joinable!(objective_annual_objectives -> objectives (objective_id));
diesel::joinable!(objective_annual_objectives -> annual_objectives (annual_objective_id));
diesel::joinable!(objective_actions -> objectives (objective_id));
diesel::joinable!(objective_actions -> actions (action_id));
diesel::joinable!(indicators -> objectives (objective_id));
diesel::joinable!(targets -> indicators (indicator_id));
diesel::joinable!(phases -> objectives (objective_id));
diesel::joinable!(areas -> plans (plan_id));
diesel::joinable!(ambiti -> areas (area_id));
diesel::joinable!(ambito_results -> ambiti (ambito_id));
diesel::joinable!(measurements -> indicators (indicator_id));
diesel::joinable!(findings -> plans (plan_id));

/// Invokes the macro `$m` with the tables of the plan graph (those one
/// query may join), then the tables given after it: the one list of them,
/// for Diesel here and for the tests that walk every table.
#[macro_export]
macro_rules! plan_graph_tables {
    ($($m:ident)::+ $(, $more:ident)* $(,)?) => {
        $($m)::+!(
            plans,
            missions,
            programs,
            actions,
            responsibility_centres,
            offices,
            strategic_objectives,
            annual_objectives,
            objectives,
            objective_offices,
            objective_strategic_objectives,
            objective_annual_objectives,
            objective_actions,
            indicators,
            targets,
            phases,
            areas,
            ambiti,
            ambito_results,
            measurements,
            findings,
            $($more,)*
        );
    };
}

plan_graph_tables!(diesel::allow_tables_to_appear_in_same_query);

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        name -> Text,
        role -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payments (id) {
        id -> Integer,
        plan_id -> Integer,
        invoice_id -> Text,
        supplier -> Text,
        amount_cents -> BigInt,
        invoice_date -> Date,
        due_date -> Nullable<Date>,
        payment_date -> Nullable<Date>,
        suspended_days -> Integer,
        source_file -> Text,
        line -> Integer,
    }
}

diesel::table! {
    phase_progress (id) {
        id -> Integer,
        phase_id -> Integer,
        period -> Text,
        period_end -> Date,
        completion_bp -> Integer,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Measure;

    indicator_values (id) {
        id -> Integer,
        indicator_id -> Integer,
        period -> Text,
        status -> Text,
        value -> Nullable<Measure>,
        numerator -> Nullable<Measure>,
        denominator -> Nullable<Measure>,
        records_used -> BigInt,
        records_excluded -> BigInt,
        diagnostics -> Text,
        calculator_id -> Text,
        calculator_version -> Text,
        calculator_source -> Text,
        calculator_params -> Text,
        input_fingerprint -> Text,
        computed_at -> Timestamp,
        computed_by -> Text,
    }
}

diesel::joinable!(payments -> plans (plan_id));
diesel::joinable!(phase_progress -> phases (phase_id));
diesel::joinable!(indicator_values -> indicators (indicator_id));

// Separate invocations: listing the new tables next to the existing ones in
// one call would declare the existing pairs a second time.
diesel::allow_tables_to_appear_in_same_query!(payments, phase_progress, indicator_values);
diesel::allow_tables_to_appear_in_same_query!(payments, plans);
diesel::allow_tables_to_appear_in_same_query!(phase_progress, phases);
diesel::allow_tables_to_appear_in_same_query!(phase_progress, objectives);
diesel::allow_tables_to_appear_in_same_query!(indicator_values, indicators);
diesel::allow_tables_to_appear_in_same_query!(indicator_values, objectives);
diesel::allow_tables_to_appear_in_same_query!(indicator_values, plans);

diesel::table! {
    /// The change log: one row per change to an indicator, appended in the
    /// transaction of the write (see `changes.rs`).
    changes (id) {
        id -> BigInt,
        objective_id -> Integer,
        indicator_id -> Integer,
        kind -> Text,
        period -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    source_locations (id) {
        id -> Integer,
        plan_id -> Integer,
        position -> Integer,
        entity -> Text,
        entity_code -> Text,
        file -> Text,
        line -> Nullable<Integer>,
        sheet -> Nullable<Text>,
        cell -> Nullable<Text>,
    }
}

diesel::joinable!(source_locations -> plans (plan_id));
diesel::allow_tables_to_appear_in_same_query!(source_locations, plans);

diesel::table! {
    /// The data version: one row, incremented by every committed write
    /// transaction (`tx.rs`).
    data_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

diesel::table! {
    /// Documents a server in trusted-documents mode runs (`documents.rs`).
    trusted_documents (hash) {
        hash -> Text,
        document -> Text,
        name -> Text,
        registered_at -> Timestamp,
    }
}
