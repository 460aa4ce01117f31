//! Test plugin: allocates 20 GB inside `compute`, 64 MB at a time, writing
//! to every page so the memory is really used, to prove the memory limit of
//! the worker process stops it. Never load it without a limit.
use cruscotto_plugin_broken_common::sdk::{Decimal, Output};

const CHUNK: usize = 64 << 20;
const TOTAL: usize = 20 << 30;

cruscotto_plugin_broken_common::broken_calculator!(Memory {
    id: "broken_memory",
    description: "Allocates 20 GB",
    compute: |_params| {
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        for _ in 0..TOTAL / CHUNK {
            chunks.push(vec![1u8; CHUNK]);
        }
        let total: usize = chunks.iter().map(|c| c.len()).sum();
        Ok(Output {
            value: Some(Decimal::from(total as u64)),
            ..Output::default()
        })
    },
});
