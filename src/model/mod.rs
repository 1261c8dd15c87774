//! The common model every loader produces and every rule reads.

mod policy;

pub use policy::*;
