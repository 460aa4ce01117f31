//! SplitMix64: a tiny, well-mixed generator, enough to make varied
//! deterministic data without a dependency. Used by `generate-payments`
//! (`calc_cmd`) and, by file, by the importer's fuzz test
//! (`tests/import_fuzz.rs`) to choose its mutations.

/// The generator, from its seed.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    #[allow(dead_code)] // The fuzz test, which includes this file, picks indices instead.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// An index below `len` (0 when `len` is 0): [`SplitMix::below`] for
    /// lengths.
    #[allow(dead_code)] // The binary picks numbers only.
    pub fn index(&mut self, len: usize) -> usize {
        (self.next() % len.max(1) as u64) as usize
    }
}
