//! Exporting a [`PaymentTable`] as an Arrow C Data Interface struct array
//! without copying: the child arrays point into the table's buffers, and
//! the exported batch holds reference counts on them until it is released.

use std::ffi::{c_void, CStr};
use std::ptr;

use cruscotto_calculator_abi::{
    ArrowArray, ArrowSchema, ARROW_FLAG_NULLABLE, FORMAT_DATE32_DAYS, FORMAT_INT32, FORMAT_INT64,
    FORMAT_STRUCT,
};

use crate::inputs::{PaymentTable, SharedPaymentBuffers, Validity};

/// Names of the payment columns as plugins see them, in order.
pub const PAYMENT_COLUMNS: [&str; 5] = [
    "amount_cents",
    "invoice_date",
    "due_date",
    "payment_date",
    "suspended_days",
];

const NAMES: [&CStr; 5] = [
    c"amount_cents",
    c"invoice_date",
    c"due_date",
    c"payment_date",
    c"suspended_days",
];

/// Everything the exported structures point to. It lives in a `Box` whose
/// address never changes, and is dropped by the top-level release callback.
struct Private {
    _buffers: SharedPaymentBuffers,
    child_schemas: Vec<ArrowSchema>,
    child_schema_ptrs: Vec<*mut ArrowSchema>,
    child_arrays: Vec<ArrowArray>,
    child_array_ptrs: Vec<*mut ArrowArray>,
    child_buffer_ptrs: Vec<[*const c_void; 2]>,
    top_buffers: [*const c_void; 1],
}

/// A payment table exported as an Arrow struct array. The host owns it and
/// releases it on drop (the plugin only borrows it during `compute`).
pub(crate) struct ExportedBatch {
    pub schema: Box<ArrowSchema>,
    pub array: Box<ArrowArray>,
}

// SAFETY: the batch owns its private data and reference-counted, immutable
// buffers; nothing in it is tied to the creating thread, so moving it to the
// worker thread that runs the plugin is sound.
unsafe impl Send for ExportedBatch {}

unsafe extern "C" fn release_child_schema(schema: *mut ArrowSchema) {
    // Children's memory belongs to the parent's private data; releasing a
    // child only marks it released, as the specification allows.
    // SAFETY: the pointer is a child schema of a live exported batch, or null.
    if let Some(s) = unsafe { schema.as_mut() } {
        s.release = None;
    }
}

unsafe extern "C" fn release_child_array(array: *mut ArrowArray) {
    // SAFETY: called by the parent's release with a pointer it owns, or by a
    // consumer with a valid child pointer; null is handled by as_mut.
    if let Some(a) = unsafe { array.as_mut() } {
        a.release = None;
    }
}

unsafe extern "C" fn release_schema(schema: *mut ArrowSchema) {
    // SAFETY: the pointer is the exported top-level schema, valid until released.
    let Some(s) = (unsafe { schema.as_mut() }) else {
        return;
    };
    s.release = None;
    s.children = ptr::null_mut();
    s.n_children = 0;
    // The schema's children live in the array's private data; see `release_array`.
}

unsafe extern "C" fn release_array(array: *mut ArrowArray) {
    // SAFETY: the pointer is the exported top-level array, valid until released.
    let Some(a) = (unsafe { array.as_mut() }) else {
        return;
    };
    if a.private_data.is_null() {
        a.release = None;
        return;
    }
    // SAFETY: private_data was created by Box::into_raw in `export_payments`
    // and is only reclaimed here, once, because we null it right after.
    let private = unsafe { Box::from_raw(a.private_data as *mut Private) };
    a.private_data = ptr::null_mut();
    for child in &private.child_array_ptrs {
        // SAFETY: each child pointer points into `private`, still alive here.
        if let Some(release) = unsafe { (**child).release } {
            // SAFETY: releasing a valid child array once.
            unsafe { release(*child) };
        }
    }
    a.release = None;
    a.children = ptr::null_mut();
    a.buffers = ptr::null_mut();
    drop(private);
}

fn child_schema(format: &'static CStr, name: &'static CStr, nullable: bool) -> ArrowSchema {
    ArrowSchema {
        format: format.as_ptr(),
        name: name.as_ptr(),
        metadata: ptr::null(),
        flags: if nullable { ARROW_FLAG_NULLABLE } else { 0 },
        n_children: 0,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: Some(release_child_schema),
        private_data: ptr::null_mut(),
    }
}

/// Exports the table's columns; no data is copied.
pub(crate) fn export_payments(table: &PaymentTable) -> ExportedBatch {
    let buffers = table.shared_buffers();
    let len = table.len() as i64;
    let validity = |b: &Option<Validity>| {
        b.as_ref()
            .map_or(ptr::null(), |v| v.bits.as_ptr() as *const c_void)
    };
    let null_count = |b: &Option<Validity>| b.as_ref().map_or(0, |v| v.nulls);
    let columns: [(&'static CStr, *const c_void, *const c_void, i64); 5] = [
        (
            FORMAT_INT64,
            ptr::null(),
            buffers.amount_cents.as_ptr() as *const c_void,
            0,
        ),
        (
            FORMAT_DATE32_DAYS,
            validity(&buffers.invoice_valid),
            buffers.invoice_date.as_ptr() as *const c_void,
            null_count(&buffers.invoice_valid),
        ),
        (
            FORMAT_DATE32_DAYS,
            validity(&buffers.due_valid),
            buffers.due_date.as_ptr() as *const c_void,
            null_count(&buffers.due_valid),
        ),
        (
            FORMAT_DATE32_DAYS,
            validity(&buffers.paid_valid),
            buffers.payment_date.as_ptr() as *const c_void,
            null_count(&buffers.paid_valid),
        ),
        (
            FORMAT_INT32,
            ptr::null(),
            buffers.suspended_days.as_ptr() as *const c_void,
            0,
        ),
    ];
    let mut private = Box::new(Private {
        _buffers: buffers,
        child_schemas: Vec::new(),
        child_schema_ptrs: Vec::new(),
        child_arrays: Vec::new(),
        child_array_ptrs: Vec::new(),
        child_buffer_ptrs: columns.iter().map(|(_, v, d, _)| [*v, *d]).collect(),
        top_buffers: [ptr::null()],
    });
    for (i, (format, _, _, nulls)) in columns.iter().enumerate() {
        private.child_schemas.push(child_schema(
            format,
            NAMES[i],
            // The three date columns may hold nulls; the others never do.
            *nulls > 0 || (1..=3).contains(&i),
        ));
        let buffers_ptr = private.child_buffer_ptrs[i].as_mut_ptr();
        private.child_arrays.push(ArrowArray {
            length: len,
            null_count: *nulls,
            offset: 0,
            n_buffers: 2,
            n_children: 0,
            buffers: buffers_ptr,
            children: ptr::null_mut(),
            dictionary: ptr::null_mut(),
            release: Some(release_child_array),
            private_data: ptr::null_mut(),
        });
    }
    // The vectors are complete and never grow again, so pointers into them
    // stay valid for as long as `private` lives.
    private.child_schema_ptrs = private
        .child_schemas
        .iter_mut()
        .map(|s| s as *mut ArrowSchema)
        .collect();
    private.child_array_ptrs = private
        .child_arrays
        .iter_mut()
        .map(|a| a as *mut ArrowArray)
        .collect();
    let schema = Box::new(ArrowSchema {
        format: FORMAT_STRUCT.as_ptr(),
        name: c"payments".as_ptr(),
        metadata: ptr::null(),
        flags: 0,
        n_children: PAYMENT_COLUMNS.len() as i64,
        children: private.child_schema_ptrs.as_mut_ptr(),
        dictionary: ptr::null_mut(),
        release: Some(release_schema),
        private_data: ptr::null_mut(),
    });
    let children = private.child_array_ptrs.as_mut_ptr();
    let top_buffers = private.top_buffers.as_mut_ptr();
    let array = Box::new(ArrowArray {
        length: len,
        null_count: 0,
        offset: 0,
        n_buffers: 1,
        n_children: PAYMENT_COLUMNS.len() as i64,
        buffers: top_buffers,
        children,
        dictionary: ptr::null_mut(),
        release: Some(release_array),
        private_data: Box::into_raw(private) as *mut c_void,
    });
    ExportedBatch { schema, array }
}

impl Drop for ExportedBatch {
    fn drop(&mut self) {
        // The host allocated the batch, so the host releases it, whether or
        // not the plugin looked at it.
        if let Some(release) = self.schema.release {
            // SAFETY: the schema is valid and not yet released.
            unsafe { release(&mut *self.schema) };
        }
        if let Some(release) = self.array.release {
            // SAFETY: the array is valid and not yet released.
            unsafe { release(&mut *self.array) };
        }
    }
}
