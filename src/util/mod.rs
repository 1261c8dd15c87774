//! Small helpers with no knowledge of IAM or of any input format.

pub mod date;
pub mod english;
