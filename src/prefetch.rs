//! A cache-prefetch hint for the lookups of prediction.
//!
//! Prediction reads a few hundred scattered entries of tables larger than
//! L2 cache (the bucket → column bitmap, the per-column weights). Asking for
//! the lines some iterations ahead overlaps their misses instead of paying
//! for them one after another.

/// Hints that `slice[i]` will be read soon. Out-of-range indices are
/// ignored; the hint never faults and changes no result.
#[inline(always)]
pub(crate) fn prefetch<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if i < slice.len() {
        // SAFETY: `i` is in bounds, so the pointer is valid; a prefetch
        // reads nothing observable and cannot fault.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(slice.as_ptr().add(i).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}
