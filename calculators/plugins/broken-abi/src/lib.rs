//! Test plugin: written against the raw ABI crate, it reports ABI version 99,
//! which the host must reject before reading or calling anything else.
use cruscotto_calculator_abi::CalculatorDescriptorV1;

/// A descriptor with a wrong version and no other content. The host must not
/// read the null pointers, which is what the test indirectly proves.
struct Descriptor(CalculatorDescriptorV1);

// SAFETY: the descriptor holds only null pointers and plain integers.
unsafe impl Sync for Descriptor {}

static DESCRIPTOR: Descriptor = Descriptor(CalculatorDescriptorV1 {
    abi_version: 99,
    id: std::ptr::null(),
    version: std::ptr::null(),
    manifest_json: std::ptr::null(),
    instance: std::ptr::null(),
    compute: None,
    free_result: None,
});

/// The entry symbol, returning the wrongly versioned descriptor.
#[no_mangle]
pub extern "C" fn cruscotto_calculator_v1() -> *const CalculatorDescriptorV1 {
    &DESCRIPTOR.0
}
