//! Follows the plugin guide in README.md step by step: takes its Cargo.toml
//! and its code, builds them as a new crate outside the workspace, installs
//! the library and loads it through the registry.

mod common;

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use common::{cargo_build_cdylibs, lib_name, plugin};
use cruscotto_calculators::{Decimal, Inputs, PaymentTable, Period, Registry, RegistryConfig};

/// The code blocks of a language, in order.
fn code_blocks(markdown: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_end() == fence => current = Some(String::new()),
            Some(block) if line.trim_end() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

#[test]
fn the_guide_shows_the_example_plugin_exactly() {
    let code = code_blocks(&readme(), "rust");
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("plugins/median-delay/src/lib.rs"),
    )
    .unwrap();
    assert_eq!(code.len(), 1);
    assert_eq!(
        code[0], example,
        "README.md and plugins/median-delay/src/lib.rs differ"
    );
    assert!(
        example.lines().count() <= 60,
        "the example should stay short"
    );
}

#[test]
fn a_plugin_built_by_following_the_guide_loads_computes_and_replaces_a_lower_version() {
    let markdown = readme();
    let manifest = code_blocks(&markdown, "toml").into_iter().next().unwrap();
    let code = code_blocks(&markdown, "rust").into_iter().next().unwrap();
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk");

    // Step 1: the crate, with the SDK path pointing at this checkout.
    let krate = tempfile::tempdir().unwrap();
    let manifest = manifest.replace("../cruscotto/calculators/sdk", &sdk.display().to_string());
    assert!(
        manifest.contains(&sdk.display().to_string()),
        "the guide's Cargo.toml must depend on the SDK by path"
    );
    std::fs::write(krate.path().join("Cargo.toml"), manifest).unwrap();
    // Reusing the workspace's lock file keeps the build offline and on the same versions.
    let lock = common::workspace_root().join("Cargo.lock");
    if lock.exists() {
        std::fs::copy(&lock, krate.path().join("Cargo.lock")).unwrap();
    }
    // Step 2: the code, as a newer version so the reload rule can be observed.
    std::fs::create_dir(krate.path().join("src")).unwrap();
    let code = code.replace(
        r#"const VERSION: &'static str = "1.0.0";"#,
        r#"const VERSION: &'static str = "1.1.0";"#,
    );
    assert!(code.contains("\"1.1.0\""));
    std::fs::write(krate.path().join("src/lib.rs"), code).unwrap();

    // Step 3: build.
    let built = cargo_build_cdylibs(krate.path(), &[]);
    let library = built
        .get("my_median_delay")
        .unwrap_or_else(|| panic!("no cdylib in {built:?}"));

    // Step 4: install next to the repository's 1.0.0 and reload.
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(
        plugin("cruscotto-plugin-median-delay"),
        plugins.path().join(lib_name("median_delay-1.0.0")),
    )
    .unwrap();
    let registry = Registry::new(RegistryConfig {
        plugin_dir: Some(plugins.path().to_path_buf()),
        timeout: Duration::from_secs(5),
        worker_program: Some(common::worker_program()),
        ..RegistryConfig::default()
    });
    let version = |registry: &Registry| {
        registry
            .get("median_payment_delay")
            .unwrap()
            .descriptor()
            .version
            .clone()
    };
    assert_eq!(version(&registry), "1.0.0");
    std::fs::copy(library, plugins.path().join(lib_name("median_delay-1.1.0"))).unwrap();
    let report = registry.reload();
    assert_eq!(
        report.replaced,
        vec!["median_payment_delay".to_string()],
        "{report:?}"
    );
    assert_eq!(version(&registry), "1.1.0");

    // And it computes: delays 0, 10 and 30 days → median 10.
    let d =
        |m, day| cruscotto_calculators::day_number(NaiveDate::from_ymd_opt(2020, m, day).unwrap());
    let table = PaymentTable::from_columns(
        vec![100, 200, 300],
        vec![d(1, 1); 3],
        vec![d(1, 31); 3],
        vec![d(1, 31), d(2, 10), d(3, 1)],
        vec![0; 3],
    )
    .unwrap();
    let result = registry
        .compute(
            "median_payment_delay",
            &Inputs::with_payments(table),
            &Period::quarter(2020, 1).unwrap(),
            &serde_json::json!({}),
        )
        .unwrap();
    assert_eq!(result.value, Some(Decimal::from(10)));
}
