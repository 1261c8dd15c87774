//! From a `Handler` to its file, and from an import to the file it loads, within the code
//! folder.

use std::path::{Component, Path, PathBuf};

use super::Language;

const JS_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx"];

/// `app.lambda_handler` (`app.py`), `src/handlers/index.handler` (`src/handlers/index.js`
/// or `.ts`), `pkg.module.handler` (Python packages).
pub(crate) fn handler_file(
    base: &Path,
    handler: &str,
    language: Option<Language>,
) -> Option<PathBuf> {
    let (module, _function) = handler.rsplit_once('.')?;
    let python = || {
        let path = base.join(format!("{}.py", module.replace('.', "/")));
        path.is_file().then_some(path)
    };
    let node = || with_extensions(&base.join(module));
    match language {
        Some(Language::Python) => python(),
        Some(_) => node(),
        None => node().or_else(python),
    }
}

/// The file a relative import names, when it lies within the code folder. JavaScript:
/// `./lib/db` (with or without extension, or its `index`). Python: `db`, `lib.db`, `.db`.
pub(crate) fn import_file(base: &Path, from: &Path, import: &str) -> Option<PathBuf> {
    let dir = from.parent()?;
    let found = if Language::of_path(from) == Some(Language::Python) {
        let dots = import.chars().take_while(|c| *c == '.').count();
        let rest = import[dots..].replace('.', "/");
        let root = if dots == 0 {
            base.to_path_buf()
        } else {
            let mut root = dir.to_path_buf();
            for _ in 1..dots {
                root = root.parent()?.to_path_buf();
            }
            root
        };
        let module = root.join(&rest);
        [module.with_extension("py"), module.join("__init__.py")]
            .into_iter()
            .find(|p| p.is_file())
    } else {
        if !import.starts_with('.') {
            return None;
        }
        let target = dir.join(import);
        if target.is_file() && Language::of_path(&target).is_some() {
            Some(target)
        } else {
            // `./db.js` written for a compiled `./db.ts`.
            let stem = match target.extension().and_then(|e| e.to_str()) {
                Some(e) if JS_EXTENSIONS.contains(&e) => target.with_extension(""),
                _ => target.clone(),
            };
            with_extensions(&stem).or_else(|| with_extensions(&target.join("index")))
        }
    };
    let found = clean(&found?);
    found.starts_with(clean(base)).then_some(found)
}

fn with_extensions(stem: &Path) -> Option<PathBuf> {
    JS_EXTENSIONS.iter().find_map(|ext| {
        let mut name = stem.as_os_str().to_os_string();
        name.push(".");
        name.push(ext);
        let path = PathBuf::from(name);
        path.is_file().then_some(path)
    })
}

/// `a/./b/../c` as `a/c`, without touching the file system.
pub(crate) fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
