//! English phrasing for messages: word splitting of identifiers and natural lists.

/// The words of an environment variable name, lower-cased: `DB_PASSWORD`, `dbPassword` and
/// `db-password` all give `["db", "password"]`; `APIKey` gives `["api", "key"]`.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_is_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            // `dbPassword` splits before `P`; `APIKey` splits before `K`.
            if ((prev.is_ascii_lowercase() || prev.is_ascii_digit()) && cur.is_ascii_uppercase())
                || (prev.is_ascii_uppercase() && cur.is_ascii_uppercase() && next_is_lower)
            {
                words.push(chars[start..i].iter().collect::<String>());
                start = i;
            }
        }
        if start < chars.len() {
            words.push(chars[start..].iter().collect::<String>());
        }
    }
    words.iter().map(|w| w.to_ascii_lowercase()).collect()
}

/// "`A`", "`A` and `B`", "`A`, `B` and `C`".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "`A`", "`A` and `B`", "`A`, `B` and `C`"; past `max` items, "... and N more".
pub fn code_list(items: &[&str], max: usize) -> String {
    let quoted: Vec<String> = items.iter().take(max).map(|i| format!("`{i}`")).collect();
    let more = items.len().saturating_sub(max);
    match (quoted.as_slice(), more) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        (all, 0) => format!(
            "{} and {}",
            all[..all.len() - 1].join(", "),
            all[all.len() - 1]
        ),
        (all, n) => format!("{} and {n} more", all.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(name_words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(name_words("dbPassword"), ["db", "password"]);
        assert_eq!(name_words("APIKey"), ["api", "key"]);
        assert_eq!(name_words("api-key.v2"), ["api", "key", "v2"]);
        assert_eq!(name_words("TOKEN_TABLE_NAME"), ["token", "table", "name"]);
        assert_eq!(name_words("Auth0Domain"), ["auth0", "domain"]);
        assert_eq!(name_words("S3BucketName"), ["s3", "bucket", "name"]);
    }

    #[test]
    fn lists_read_naturally() {
        let items = |n: usize| (0..n).map(|i| format!("`{i}`")).collect::<Vec<_>>();
        assert_eq!(and_list(&items(1)), "`0`");
        assert_eq!(and_list(&items(2)), "`0` and `1`");
        assert_eq!(and_list(&items(3)), "`0`, `1` and `2`");
    }
}
