//! One writer per table: every statement of the storage crate that writes a
//! table stands in that table's module (`src/entity/…` for the plan graph,
//! see `src/entity/mod.rs`), so the import, the mutations and the
//! calculations share one writer and its rules.
//!
//! The crate's sources are read as text, with comments and `#[cfg(test)]`
//! modules (which arrange data for tests) left out. A write is
//!
//! - a Diesel statement on a table: `insert_into(X::table`,
//!   `insert_or_ignore_into(X::table`, `replace_into(X::table`,
//!   `update(X::table` (also `update(X::table.find(…`) and `delete(X::table`,
//!   white space allowed anywhere;
//! - raw SQL in a string: `INSERT INTO x`, `UPDATE x`, `DELETE FROM x`;
//! - the invocation of a macro whose body writes a table it is given (a
//!   write on `$t::table` or on a `$table` expression): every table the
//!   invocation names counts as written where the macro is invoked.
//!
//! Each must name a table of `schema.rs` and stand in the file [`WRITERS`]
//! maps it to; a write on anything else (an alias, a variable) is refused
//! outside `src/entity/`, where only the shared macros write a table they
//! are given. Every table of `schema.rs` must be in [`WRITERS`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Which file writes which table (paths relative to `src/`).
const WRITERS: &[(&str, &str)] = &[
    ("plans", "entity/plan.rs"),
    ("missions", "entity/budget.rs"),
    ("programs", "entity/budget.rs"),
    ("actions", "entity/budget.rs"),
    ("responsibility_centres", "entity/centre.rs"),
    ("offices", "entity/centre.rs"),
    ("strategic_objectives", "entity/objective.rs"),
    ("annual_objectives", "entity/objective.rs"),
    ("objectives", "entity/objective.rs"),
    ("objective_offices", "entity/objective.rs"),
    ("objective_strategic_objectives", "entity/objective.rs"),
    ("objective_annual_objectives", "entity/objective.rs"),
    ("objective_actions", "entity/objective.rs"),
    ("indicators", "entity/indicator.rs"),
    ("targets", "entity/target.rs"),
    ("phases", "entity/phase.rs"),
    ("phase_progress", "entity/phase.rs"),
    ("areas", "entity/area.rs"),
    ("ambiti", "entity/area.rs"),
    ("ambito_results", "entity/area.rs"),
    ("measurements", "entity/measurement.rs"),
    ("findings", "entity/finding.rs"),
    ("source_locations", "entity/source_location.rs"),
    ("indicator_values", "entity/value.rs"),
    ("payments", "entity/payment.rs"),
    ("api_tokens", "tokens.rs"),
    ("changes", "changes.rs"),
    ("data_version", "tx.rs"),
    ("trusted_documents", "documents.rs"),
];

/// Where the shared writing macros may be defined and invoked on tables
/// given to them.
const ENTITY_DIR: &str = "entity/";

const DIESEL_WRITES: [&str; 5] = [
    "insert_into(",
    "insert_or_ignore_into(",
    "replace_into(",
    "update(",
    "delete(",
];

const SQL_WRITES: [&str; 3] = ["INSERT INTO ", "UPDATE ", "DELETE FROM "];

#[test]
fn every_table_is_written_only_by_its_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_sources(&src, &src, &mut files);
    assert!(files.len() > 10, "read the crate's sources from {src:?}");
    let schema = std::fs::read_to_string(src.join("schema.rs")).expect("schema.rs");
    let tables = schema_tables(&schema);

    let mapped: BTreeSet<&str> = WRITERS.iter().map(|(t, _)| *t).collect();
    let declared: BTreeSet<&str> = tables.iter().map(String::as_str).collect();
    let unmapped: Vec<_> = declared.difference(&mapped).collect();
    assert!(
        unmapped.is_empty(),
        "tables of schema.rs without a writer module in WRITERS: {unmapped:?}"
    );
    let unknown: Vec<_> = mapped.difference(&declared).collect();
    assert!(
        unknown.is_empty(),
        "WRITERS names tables schema.rs does not declare: {unknown:?}"
    );
    for (_, file) in WRITERS {
        assert!(
            src.join(file).is_file(),
            "WRITERS names {file}, which does not exist"
        );
    }

    let scan = scan(&files);
    let found = &scan.violations;
    assert!(
        found.is_empty(),
        "tables written outside their module (add the write to the table's \
         module and call it from here):\n{}",
        found.join("\n")
    );
    for (table, file) in WRITERS {
        assert!(
            scan.written
                .contains(&(table.to_string(), file.to_string())),
            "no write of {table} found in {file}: the check does not see it"
        );
    }
}

#[test]
fn the_check_finds_writes_outside_the_module_of_their_table() {
    let file = |path: &str, text: &str| (path.to_string(), text.to_string());
    let files = [
        // The three measurement writers this rule replaced.
        file(
            "calc/ops.rs",
            "fn f() { diesel::insert_into(measurements::table).values(&row).execute(conn)?; }",
        ),
        file(
            "graph/writes.rs",
            "fn g() { diesel::update(\n    plans::table.find(id)\n).set(&c).execute(conn)?; }\n\
             // diesel::delete(plans::table) in a comment is no write\n\
             fn h() { hasher.update(plans::table); }",
        ),
        file(
            "store/import.rs",
            "fn i() { diesel::delete(objective_offices::table.filter(x)).execute(conn)?;\n\
             diesel::sql_query(\"DELETE FROM findings WHERE plan_id = 1\").execute(conn)?; }",
        ),
        // A macro writing the table it is given, outside the entity modules.
        file(
            "store/export.rs",
            "macro_rules! wipe { ($t:ident) => { diesel::delete($t::table).execute(conn) }; }\n\
             fn j() { wipe!(areas); }",
        ),
        // Allowed: the table's own module, and data arranged by a test.
        file(
            "entity/plan.rs",
            "fn k() { diesel::update(plans::table.find(id)).set(&c).execute(conn) }",
        ),
        file(
            "backend/pg/payments_read.rs",
            "fn l() {}\n#[cfg(test)]\nmod tests {\n    fn m() { q(\"INSERT INTO payments (a) VALUES ('{')\"); }\n}\n",
        ),
    ];
    let found = scan(&files).violations;
    let expect = [
        "calc/ops.rs: insert_into(measurements::table",
        "graph/writes.rs: update(plans::table",
        "store/import.rs: delete(objective_offices::table",
        "store/import.rs: SQL DELETE FROM findings",
        "store/export.rs: delete($t::table",
        "store/export.rs: wipe!(areas",
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for (f, e) in found.iter().zip(expect) {
        assert!(f.starts_with(e), "{f} is not {e}");
    }
}

/// Every `.rs` file below `dir`, with its path relative to `root`.
fn read_sources(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("source directory")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).expect("source file")));
        }
    }
}

/// The tables `diesel::table!` declares: lines `    name (key) {`.
fn schema_tables(schema: &str) -> Vec<String> {
    schema
        .lines()
        .filter(|l| l.starts_with("    ") && !l.starts_with("     ") && l.trim_end().ends_with('{'))
        .filter_map(|l| l.trim().split_once(" ("))
        .map(|(name, _)| name.to_string())
        .filter(|name| name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .collect()
}

fn writer_of(table: &str) -> Option<&'static str> {
    WRITERS.iter().find(|(t, _)| *t == table).map(|(_, f)| *f)
}

/// What a scan of the sources found.
struct Scan {
    /// What is wrong, one line each: `file: what`.
    violations: Vec<String>,
    /// Every (table, file) written.
    written: BTreeSet<(String, String)>,
}

fn scan(files: &[(String, String)]) -> Scan {
    let parsed: Vec<(&str, Source)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), Source::parse(text)))
        .collect();
    let mut out = Vec::new();
    let mut written = BTreeSet::new();
    let mut writing_macros = BTreeMap::new();
    for (path, source) in &parsed {
        let code = &source.code;
        for pattern in DIESEL_WRITES {
            for at in occurrences(code, pattern) {
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c == '.' || c == '_' || c.is_ascii_alphanumeric()) {
                    continue;
                }
                let diesel = code[..at].ends_with("diesel::");
                let arg = &code[at + pattern.len()..];
                let target = written_table(arg);
                let what = format!("{pattern}{}", target.as_deref().unwrap_or(""));
                match target {
                    Some(t) if t.starts_with('$') => {
                        if !path.starts_with(ENTITY_DIR) {
                            out.push(format!(
                                "{path}: {what}::table in a macro outside {ENTITY_DIR}"
                            ));
                        }
                    }
                    Some(t) => {
                        match writer_of(&t) {
                            Some(w) if w == *path => {}
                            Some(w) => {
                                out.push(format!("{path}: {what}::table, which only {w} may write"))
                            }
                            None => {
                                out.push(format!("{path}: {what}::table, not a table of schema.rs"))
                            }
                        }
                        written.insert((t, path.to_string()));
                    }
                    // `update(`/`delete(` of something other than a table
                    // are other functions unless Diesel's.
                    None if !diesel && !pattern.starts_with("insert") => {}
                    None if arg.starts_with('$') && path.starts_with(ENTITY_DIR) => {}
                    None => out.push(format!("{path}: {pattern}… does not name its table")),
                }
            }
        }
        for text in &source.strings {
            for pattern in SQL_WRITES {
                for at in occurrences(text, pattern) {
                    let table = identifier(&text[at + pattern.len()..]);
                    written.insert((table.to_string(), path.to_string()));
                    if let Some(w) = writer_of(table) {
                        if w != *path {
                            out.push(format!(
                                "{path}: SQL {pattern}{table}, which only {w} may write"
                            ));
                        }
                    }
                }
            }
        }
        for (name, body) in macro_definitions(code) {
            if writes_given_table(&body) {
                writing_macros.insert(name, *path);
            }
        }
    }
    for (path, source) in &parsed {
        for (name, args) in macro_invocations(&source.code, &writing_macros) {
            for table in args
                .split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                .filter(|t| writer_of(t).is_some())
            {
                written.insert((table.to_string(), path.to_string()));
                let w = writer_of(table).unwrap();
                if w != *path {
                    out.push(format!(
                        "{path}: {name}!({table}…), which only {w} may write"
                    ));
                }
            }
        }
    }
    Scan {
        violations: out,
        written,
    }
}

/// `X` of an argument text starting `X::table`, or `$x` of one starting
/// `$x::table`; `None` otherwise.
fn written_table(arg: &str) -> Option<String> {
    let (sigil, rest) = match arg.strip_prefix('$') {
        Some(r) => ("$", r),
        None => ("", arg),
    };
    let name = identifier(rest);
    (!name.is_empty() && rest[name.len()..].starts_with("::table"))
        .then(|| format!("{sigil}{name}"))
}

/// Whether a macro body writes on a table given to it (`$t::table`, or a
/// `$table` expression).
fn writes_given_table(body: &str) -> bool {
    DIESEL_WRITES.iter().any(|p| {
        occurrences(body, p)
            .into_iter()
            .any(|at| body[at + p.len()..].starts_with('$'))
    })
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(text.len());
    &text[..end]
}

fn occurrences(text: &str, pattern: &str) -> Vec<usize> {
    text.match_indices(pattern).map(|(i, _)| i).collect()
}

/// `macro_rules! name { body }` of a code text without white space.
fn macro_definitions(code: &str) -> Vec<(String, String)> {
    occurrences(code, "macro_rules!")
        .into_iter()
        .filter_map(|at| {
            let rest = &code[at + "macro_rules!".len()..];
            let name = identifier(rest);
            let body = balanced(&rest[name.len()..])?;
            Some((name.to_string(), body.to_string()))
        })
        .collect()
}

/// `(name, arguments)` of every invocation of one of `macros`.
fn macro_invocations(code: &str, macros: &BTreeMap<String, &str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in macros.keys() {
        let call = format!("{name}!");
        for at in occurrences(code, &call) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c == '_' || c.is_ascii_alphanumeric()) {
                continue;
            }
            if let Some(args) = balanced(&code[at + call.len()..]) {
                out.push((name.clone(), args.to_string()));
            }
        }
    }
    out
}

/// The text inside the bracket `text` starts with, up to its match.
fn balanced(text: &str) -> Option<&str> {
    let open = text.chars().next()?;
    let close = match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        _ => return None,
    };
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(&text[1..i]);
            }
        }
    }
    None
}

/// A source file split into its code (white space, comments and string
/// contents removed; each string literal left as `""`) and the contents of
/// its string literals, both without `#[cfg(test)]` modules.
struct Source {
    code: String,
    strings: Vec<String>,
}

impl Source {
    fn parse(text: &str) -> Source {
        let mut code = String::new();
        let mut strings = Vec::new();
        // Brace depth at which a `#[cfg(test)]` module started, while inside one.
        let mut skipping: Option<usize> = None;
        // Where the last `#[cfg(test)]` starts in `code`, until the next `{`.
        let mut cfg_test: Option<usize> = None;
        let mut depth = 0usize;
        let b: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let next = b.get(i + 1).copied();
            if c == '/' && next == Some('/') {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            if c == '/' && next == Some('*') {
                i += 2;
                while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            if c == '\'' {
                // A char literal ('x', '\n', '\'', '"'); a lifetime is code.
                if next == Some('\\') {
                    i += 3;
                    while i < b.len() && b[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                if b.get(i + 2) == Some(&'\'') {
                    i += 3;
                    continue;
                }
            }
            let raw_hashes = (c == 'r' && matches!(next, Some('"' | '#')))
                .then(|| b[i + 1..].iter().take_while(|&&h| h == '#').count())
                .filter(|&n| b.get(i + 1 + n) == Some(&'"'));
            if c == '"' || raw_hashes.is_some() {
                let mut s = String::new();
                match raw_hashes {
                    Some(n) => {
                        i += n + 2;
                        let end: String = std::iter::once('"').chain((0..n).map(|_| '#')).collect();
                        while i < b.len() && !b[i..].iter().take(end.len()).copied().eq(end.chars())
                        {
                            s.push(b[i]);
                            i += 1;
                        }
                        i += end.len();
                    }
                    None => {
                        i += 1;
                        while i < b.len() && b[i] != '"' {
                            if b[i] == '\\' {
                                i += 1;
                            }
                            if i < b.len() {
                                s.push(b[i]);
                            }
                            i += 1;
                        }
                        i += 1;
                    }
                }
                if skipping.is_none() {
                    code.push_str("\"\"");
                    strings.push(s);
                }
                continue;
            }
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if skipping == Some(depth) {
                        skipping = None;
                        i += 1;
                        continue;
                    }
                }
                _ => {}
            }
            if skipping.is_none() {
                code.push(c);
                if c == ']' && code.ends_with(CFG_TEST) {
                    cfg_test = Some(code.len() - CFG_TEST.len());
                } else if c == '{' {
                    if let Some(start) = cfg_test.take() {
                        if is_test_module(&code[start + CFG_TEST.len()..]) {
                            // Drop the module's header and skip to its
                            // closing brace.
                            code.truncate(start);
                            skipping = Some(depth - 1);
                        }
                    }
                }
            }
            i += 1;
        }
        Source { code, strings }
    }
}

const CFG_TEST: &str = "#[cfg(test)]";

/// Whether the code after a `#[cfg(test)]` up to a `{` is `mod name {`.
fn is_test_module(rest: &str) -> bool {
    let rest = rest
        .strip_prefix("pub(crate)")
        .or_else(|| rest.strip_prefix("pub"))
        .unwrap_or(rest);
    rest.strip_prefix("mod")
        .and_then(|r| r.strip_suffix('{'))
        .is_some_and(|name| {
            !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        })
}
