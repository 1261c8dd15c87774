#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn blob_parses() {
    assert!(Blob::parse(BLOB).is_ok());
}
