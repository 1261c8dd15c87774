//! Layout of the catalog blob, shared by `build.rs` (writer, via `#[path]`) and the
//! runtime reader, so both sides cannot drift apart.
//!
//! All integers are little-endian. Header:
//! `MAGIC`, `FORMAT_VERSION: u32`, `version: StrRef`, `date: StrRef`, then
//! `SECTION_COUNT` pairs of `(offset: u32, len: u32)` in `Section` order.
//!
//! A `StrRef` (u32) packs a byte offset into the string section (high bits) and the
//! length (low `STR_LEN_BITS` bits). Records:
//! - `Services` (sorted by lower-case prefix): prefix StrRef, name StrRef, first action u32, action count u32.
//! - `Actions` (grouped by service, each group sorted by lower-case name): name StrRef,
//!   first resource u32, first key u32, key count u16, resource count u8, access level u8.
//! - `ActionResources`: u16, resource type index, `REQUIRED_BIT` set when required.
//! - `ResourceTypes`: name StrRef, ARN format StrRef.
//! - `KeyNames`: StrRef per distinct condition key spelling used by actions.
//! - `ActionKeys`: u16 index into `KeyNames`.
//! - `KeyDefs` (sorted by lower-case name): name StrRef, type u8, flags u8, 2 bytes padding.
//! - `KeyTemplates`: u16 index into `KeyDefs` of each key that contains a variable.

#![allow(dead_code)] // each side of the build uses a different half of these items

pub(crate) const MAGIC: [u8; 4] = *b"IAMC";
pub(crate) const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Strings = 0,
    Services,
    Actions,
    ActionResources,
    ResourceTypes,
    KeyNames,
    ActionKeys,
    KeyDefs,
    KeyTemplates,
}

pub(crate) const SECTION_COUNT: usize = 9;
pub(crate) const HEADER_LEN: usize = 16 + SECTION_COUNT * 8;

pub(crate) const SERVICE_REC: usize = 16;
pub(crate) const ACTION_REC: usize = 16;
pub(crate) const ACTION_RESOURCE_REC: usize = 2;
pub(crate) const RESOURCE_TYPE_REC: usize = 8;
pub(crate) const KEY_NAME_REC: usize = 4;
pub(crate) const ACTION_KEY_REC: usize = 2;
pub(crate) const KEY_DEF_REC: usize = 8;
pub(crate) const KEY_TEMPLATE_REC: usize = 2;

pub(crate) const STR_LEN_BITS: u32 = 10;
pub(crate) const STR_MAX_LEN: usize = (1 << STR_LEN_BITS) - 1;
pub(crate) const STR_MAX_OFFSET: usize = (1 << (32 - STR_LEN_BITS)) - 1;

pub(crate) const REQUIRED_BIT: u16 = 0x8000;

pub(crate) const KEY_FLAG_GLOBAL: u8 = 1;
pub(crate) const KEY_FLAG_TEMPLATE: u8 = 2;

/// Access level codes, in `AccessLevel` declaration order.
pub(crate) const ACCESS_LEVELS: [&str; 5] =
    ["List", "Read", "Write", "Permissions management", "Tagging"];

/// Condition type codes, in `ConditionType` declaration order; anything else is `Other`.
pub(crate) const CONDITION_TYPES: [&str; 12] = [
    "String",
    "ArrayOfString",
    "ARN",
    "ArrayOfARN",
    "Numeric",
    "ArrayOfNumeric",
    "Date",
    "Bool",
    "ArrayOfBool",
    "IPAddress",
    "ArrayOfIPAddress",
    "Binary",
];
pub(crate) const CONDITION_TYPE_OTHER: u8 = 12;
