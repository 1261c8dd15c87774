//! Policy `Resource` values against catalog ARN formats.
//!
//! A policy value may hold `*` (any run), `?` (one character) and `${...}` placeholders
//! (`${AWS::Region}`, `${aws:username}`, `${var.bucket}`): one unknown, non-empty value
//! without `/`, or any text when the name ends in `arn` (`${MyBucket.Arn}/*`). Like IAM,
//! which compares partition, service, region and account one by one, a `*` or
//! placeholder in that head stays inside its colon-separated segment, unless the `*`
//! ends the value (`arn:aws:logs:*`). `${*}`, `${?}` and `${$}` are the IAM escapes for
//! the literal character. Comparison is case-sensitive, like IAM's.
//!
//! A format variable (`${BucketName}`) stands for a non-empty value whose characters
//! depend on where it sits, so that `bucket/*` is an object and not a bucket while
//! `log-group:/aws/lambda/fn:*` is still a log group:
//! - in the `arn:partition:service:region:account:` head: anything but `:`;
//! - followed by `/` or `:`: anything but that separator (`table/${TableName}/index/...`);
//! - last and alone after the head (S3 bucket, SQS queue, SNS topic): no `/` and no `:`;
//! - last after other resource text (`object`, `role/`, `function:`): anything, which
//!   covers paths, S3 keys and qualifiers like `function:name:alias`;
//! - otherwise: neither `/` nor `:`.
//!
//! A literal `*` in a format (a few services use one) matches anything.

/// Can some concrete ARN of `format` match the policy value `arn`?
pub fn arn_matches_format(arn: &str, format: &str) -> bool {
    let policy_tokens = policy_tokens(arn);
    let format_tokens = format_tokens(format);
    // Built in place: this runs for every resource against every format an action names.
    let mut policy = Vec::with_capacity(policy_tokens.len() + 4);
    for t in &policy_tokens {
        match *t {
            PTok::Lit(c) => policy.push(Unit::one(Class::Char(c))),
            PTok::AnyOne => policy.push(Unit::one(Class::Any)),
            PTok::Star => policy.push(Unit::star(Class::Any)),
            PTok::SegStar => policy.push(Unit::star(Class::NotColon)),
            PTok::Placeholder(class) => policy.extend([Unit::one(class), Unit::star(class)]),
        }
    }
    let mut format = Vec::with_capacity(format_tokens.len() + 8);
    for t in &format_tokens {
        match *t {
            FTok::Lit(c) => format.push(Unit::one(Class::Char(c))),
            FTok::Var { class, .. } => format.extend([Unit::one(class), Unit::star(class)]),
            FTok::Star => format.push(Unit::star(Class::Any)),
        }
    }
    intersects(&policy, &format)
}

/// Does the policy value cover every ARN of `format`, scoping nothing below the
/// account? `arn:aws:s3:::*` for buckets, `arn:aws:dynamodb:*:*:table/*` for tables.
/// Literal partition, region and account values still count as "every" (what a holder
/// can reach in its own account); a placeholder in the resource part does not, since it
/// names one resource. [`arn_is_star_equivalent`] is the stricter reading.
pub fn arn_is_effectively_wildcard(arn: &str, format: &str) -> bool {
    covers_format(arn, format, false)
}

/// Is the policy value effectively `*` for `format`, as parliament defines it: is every
/// segment that identifies the account or the resource a wildcard? A literal partition
/// or Region still counts as "every", but a written-out account
/// (`arn:aws:ec2:us-east-1:123456789012:instance/*`) or a placeholder for one
/// (`${AWS::AccountId}`) is a scope: it names one account.
pub fn arn_is_star_equivalent(arn: &str, format: &str) -> bool {
    covers_format(arn, format, true)
}

fn covers_format(arn: &str, format: &str, account_must_be_wildcard: bool) -> bool {
    let policy = policy_tokens(arn);
    let format = format_tokens(format);
    let mut memo = vec![None; (policy.len() + 1) * (format.len() + 1)];
    let mut search = Cover {
        policy: &policy,
        format: &format,
        account_must_be_wildcard,
        memo: &mut memo,
    };
    search.covers(0, 0)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Char(char),
    Any,
    NotSlash,
    NotColon,
    NotSlashColon,
}

impl Class {
    fn allows(self, c: char) -> bool {
        match self {
            Class::Char(x) => x == c,
            Class::Any => true,
            Class::NotSlash => c != '/',
            Class::NotColon => c != ':',
            Class::NotSlashColon => c != '/' && c != ':',
        }
    }

    /// Some character is in both classes (the alphabet is far larger than two exclusions).
    fn meets(self, other: Class) -> bool {
        match (self, other) {
            (Class::Char(c), o) | (o, Class::Char(c)) => o.allows(c),
            _ => true,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PTok {
    Lit(char),
    AnyOne,
    Star,
    /// A `*` in the ARN head: does not cross a colon.
    SegStar,
    Placeholder(Class),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FTok {
    Lit(char),
    /// `account`: the account segment of the head, which only a wildcard covers.
    Var {
        class: Class,
        head: bool,
        account: bool,
    },
    Star,
}

fn policy_tokens(arn: &str) -> Vec<PTok> {
    let mut out = Vec::with_capacity(arn.len());
    let mut chars = arn.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '*' => out.push(PTok::Star),
            '?' => out.push(PTok::AnyOne),
            '$' if chars.peek().map(|p| p.1) == Some('{') => match placeholder_end(&arn[i..]) {
                Some(len) => {
                    let inner = &arn[i + 2..i + len - 1];
                    out.push(match inner {
                        "*" => PTok::Lit('*'),
                        "?" => PTok::Lit('?'),
                        "$" => PTok::Lit('$'),
                        _ if inner.to_ascii_lowercase().ends_with("arn") => {
                            PTok::Placeholder(Class::Any)
                        }
                        _ => PTok::Placeholder(Class::NotSlash),
                    });
                    while chars.peek().is_some_and(|p| p.0 < i + len) {
                        chars.next();
                    }
                }
                None => out.push(PTok::Lit('$')),
            },
            c => out.push(PTok::Lit(c)),
        }
    }
    let last = out.len().saturating_sub(1);
    let mut colons = 0;
    for (i, tok) in out.iter_mut().enumerate() {
        match tok {
            PTok::Lit(':') => colons += 1,
            PTok::Star if colons < 5 && i != last => *tok = PTok::SegStar,
            PTok::Placeholder(Class::NotSlash) if colons < 5 => {
                *tok = PTok::Placeholder(Class::NotSlashColon)
            }
            _ => {}
        }
    }
    out
}

/// Byte length of a `${...}` at the start of `s`, nested braces included.
fn placeholder_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn format_tokens(format: &str) -> Vec<FTok> {
    let mut out = Vec::with_capacity(format.len());
    let mut colons = 0;
    let mut head_end = None; // token index where the resource part starts
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = rest.starts_with("${").then(|| rest.find('}')).flatten() {
            out.push(FTok::Var {
                class: Class::Any,
                head: colons < 5,
                account: colons == 4,
            });
            rest = &rest[len + 1..];
            continue;
        }
        if c == ':' && colons < 5 {
            colons += 1;
            if colons == 5 {
                head_end = Some(out.len() + 1);
            }
        }
        out.push(if c == '*' { FTok::Star } else { FTok::Lit(c) });
        rest = &rest[c.len_utf8()..];
    }
    let resource_start = head_end.unwrap_or(out.len());
    let last = out.len().saturating_sub(1);
    for i in 0..out.len() {
        let next = out.get(i + 1).copied();
        if let FTok::Var { class, head, .. } = &mut out[i] {
            *class = if *head {
                Class::NotColon
            } else if i == last {
                if i == resource_start {
                    Class::NotSlashColon
                } else {
                    Class::Any
                }
            } else {
                match next {
                    Some(FTok::Lit('/')) => Class::NotSlash,
                    Some(FTok::Lit(':')) => Class::NotColon,
                    _ => Class::NotSlashColon,
                }
            };
        }
    }
    out
}

/// A character class, once (`star == false`) or any number of times.
#[derive(Clone, Copy, Debug)]
struct Unit {
    class: Class,
    star: bool,
}

impl Unit {
    fn one(class: Class) -> Self {
        Self { class, star: false }
    }

    fn star(class: Class) -> Self {
        Self { class, star: true }
    }
}

/// Is there a string both unit sequences accept? Search over the product of their
/// positions: at most (|a|+1)(|b|+1) states, each visited once.
fn intersects(a: &[Unit], b: &[Unit]) -> bool {
    // Two single-character units at the same end must take the same character, so a
    // shared literal head or tail (`arn:`, a bucket name) is checked here in one pass and
    // only the rest is searched.
    let (mut a, mut b) = (a, b);
    while let ([ua, rest_a @ ..], [ub, rest_b @ ..]) = (a, b) {
        if ua.star || ub.star {
            break;
        }
        if !ua.class.meets(ub.class) {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    while let ([rest_a @ .., ua], [rest_b @ .., ub]) = (a, b) {
        if ua.star || ub.star {
            break;
        }
        if !ua.class.meets(ub.class) {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if std::mem::replace(&mut seen[i * width + j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let (ua, ub) = (a.get(i), b.get(j));
        if ua.is_some_and(|u| u.star) {
            stack.push((i + 1, j));
        }
        if ub.is_some_and(|u| u.star) {
            stack.push((i, j + 1));
        }
        if let (Some(ua), Some(ub)) = (ua, ub) {
            if ua.class.meets(ub.class) {
                match (ua.star, ub.star) {
                    (false, false) => stack.push((i + 1, j + 1)),
                    (false, true) => stack.push((i + 1, j)),
                    (true, false) => stack.push((i, j + 1)),
                    (true, true) => {} // no progress; the epsilon moves cover it
                }
            }
        }
    }
    false
}

/// Can `policy[i..]` match every string `format[j..]` stands for?
struct Cover<'a> {
    policy: &'a [PTok],
    format: &'a [FTok],
    account_must_be_wildcard: bool,
    memo: &'a mut [Option<bool>],
}

impl Cover<'_> {
    fn covers(&mut self, i: usize, j: usize) -> bool {
        let (policy, format) = (self.policy, self.format);
        let key = i * (format.len() + 1) + j;
        if let Some(known) = self.memo[key] {
            return known;
        }
        let result = match (policy.get(i), format.get(j)) {
            (None, next) => next.is_none(),
            (Some(PTok::Star), next) => {
                self.covers(i + 1, j) || (next.is_some() && self.covers(i, j + 1))
            }
            (Some(PTok::SegStar), next) => {
                self.covers(i + 1, j)
                    || (next.is_some_and(|t| *t != FTok::Lit(':')) && self.covers(i, j + 1))
            }
            (Some(_), None) => false,
            (Some(p), Some(FTok::Lit(c))) => {
                (*p == PTok::AnyOne || *p == PTok::Lit(*c)) && self.covers(i + 1, j + 1)
            }
            // In the strict reading the account is covered only by a wildcard (handled
            // above): a written-out account or a placeholder for one scopes the value.
            (Some(_), Some(FTok::Var { account: true, .. })) if self.account_must_be_wildcard => {
                false
            }
            // A head value (partition, Region) may be written out: any run of non-wildcard
            // text up to the next colon.
            (Some(_), Some(FTok::Var { head: true, .. })) => {
                let mut k = i;
                let mut found = false;
                while !found
                    && policy
                        .get(k)
                        .is_some_and(|t| !matches!(t, PTok::Star | PTok::SegStar | PTok::Lit(':')))
                {
                    k += 1;
                    found = self.covers(k, j + 1);
                }
                found
            }
            // Resource names and format wildcards are only covered by `*`.
            (Some(_), Some(_)) => false,
        };
        self.memo[key] = Some(result);
        result
    }
}
