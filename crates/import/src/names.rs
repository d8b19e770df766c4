//! Globs for groups of live names: generated suffixes (`Cluster-rTtLLOHCi694`) become
//! `*`, names that share a configuration become one glob, and every glob is checked to
//! select exactly its group among the names of its kind, or not used.

use holdfast_desired::NameGlob;

/// Most alternatives one `{a,b,...}` glob lists before it stops being easier to read
/// than separate entries; each is a plain name or word, without a glob of its own.
const MOST_ALTERNATIVES: usize = 8;

const DELIMITERS: [char; 5] = ['-', '_', '/', '.', ':'];

/// True for a token CloudFormation or Copilot generated: twelve or thirteen letters and
/// digits switching between lowercase, uppercase and digits at least three times
/// (CloudFormation's `rTtLLOHCi694`, `8hq2mzm3kd7v`), or Copilot's six lowercase letters
/// and digits that start with a digit (`7hb3t6`). Names people give (`z360dbcluster`,
/// `pg16v2`, `mysql8x0`, `2024q1a2`) are not: a glob for them would reach resources made
/// later under a similar name.
fn is_generated(token: &str) -> bool {
    if !token.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let class = |c: char| {
        if c.is_ascii_digit() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else {
            2
        }
    };
    let has_digit = token.chars().any(|c| c.is_ascii_digit());
    let has_letter = token.chars().any(|c| c.is_ascii_alphabetic());
    let switches = token.as_bytes().windows(2).filter(|pair| class(pair[0] as char) != class(pair[1] as char)).count();
    let cloudformation = (12..=13).contains(&token.len()) && switches >= 3;
    let copilot = token.len() == 6
        && token.starts_with(|c: char| c.is_ascii_digit())
        && token.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        && token.chars().filter(char::is_ascii_digit).count() >= 2
        && switches >= 3;
    has_digit && has_letter && (cloudformation || copilot)
}

/// Escapes the characters a glob reads as patterns, so a literal name matches only itself.
pub fn literal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\' | ',') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// True for an AWS resource id (`vpc-0a5c9e1f3b7d68024`): AWS made all of it, and every
/// id of its kind shares the prefix, so a glob over it would select them all.
fn is_resource_id(name: &str) -> bool {
    name.split_once('-').is_some_and(|(kind, id)| {
        kind.len() <= 4 && kind.bytes().all(|byte| byte.is_ascii_lowercase()) && id.len() >= 8 && id.bytes().all(|byte| byte.is_ascii_hexdigit())
    })
}

/// The name with each generated token made `*`: `z360-staging-Cluster-*`. A resource
/// id stays whole.
pub fn generalized(name: &str) -> String {
    if is_resource_id(name) {
        return literal(name);
    }
    let mut out = String::with_capacity(name.len());
    for (index, token) in name.split(DELIMITERS).enumerate() {
        if index > 0 {
            // The delimiter that ended the previous token.
            let at: usize = name.split(DELIMITERS).take(index).map(|part| part.len() + 1).sum::<usize>() - 1;
            out.push_str(&name[at..=at]);
        }
        if is_generated(token) { out.push('*') } else { out.push_str(&literal(token)) }
    }
    out
}

/// How far a glob may reach past the names it was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Only the names, their generated suffixes aside: `{app-z360,zscribe-main}`,
    /// `z360-staging-Cluster-*`. A resource made later is not selected unless it is the
    /// same stack's.
    Names,
    /// Their common prefix too, as `z360-staging-*`: the services of one cluster, where a
    /// service added later to the environment is meant to run like the others.
    Prefix,
}

/// The glob for a group of names among all the names of their kind (`universe`, which
/// holds the group), or None when none selects exactly the group: then each name needs
/// an entry of its own ([`single`]). `*` only with [`Reach::Prefix`], for a group that is
/// the `whole` kind.
pub fn for_group(group: &[&str], universe: &[&str], whole: bool, reach: Reach) -> Option<String> {
    let patterns: Vec<String> = {
        let mut patterns: Vec<String> = group.iter().map(|name| generalized(name)).collect();
        patterns.sort();
        patterns.dedup();
        patterns
    };
    let mut candidates = Vec::new();
    if let [only] = patterns.as_slice() {
        candidates.push(only.clone());
    } else {
        let prefix = common_prefix(&patterns);
        if reach == Reach::Prefix && prefix.chars().any(|c| !DELIMITERS.contains(&c)) {
            candidates.push(format!("{prefix}*"));
        }
        if patterns.len() <= MOST_ALTERNATIVES {
            let suffix = common_suffix(&patterns, prefix.len());
            let middles: Vec<&str> = patterns.iter().map(|pattern| &pattern[prefix.len()..pattern.len() - suffix.len()]).collect();
            // Alternatives read well when each is a plain name or word: `{web,reverb}`.
            let readable = |middle: &&str| !middle.is_empty() && middle.len() <= 64 && !middle.contains(['{', '}', ',', '*', '?', '[']);
            if middles.iter().all(readable) {
                candidates.push(format!("{prefix}{{{}}}{suffix}", middles.join(",")));
            }
        }
        if whole && reach == Reach::Prefix {
            candidates.push("*".to_owned());
        }
    }
    candidates.into_iter().find(|candidate| selects_exactly(candidate, group, universe))
}

/// The entries a group needs: one glob for the whole group; else, in name order, runs of
/// up to [`MOST_ALTERNATIVES`] names that one glob selects (`team-{a,c,e}-svc`: a group
/// whose names interleave with another's); else one entry per name.
pub fn globs<'a>(group: &[&'a str], universe: &[&str], whole: bool, reach: Reach) -> Vec<(String, Vec<&'a str>)> {
    if let Some(glob) = for_group(group, universe, whole, reach) {
        return vec![(glob, group.to_vec())];
    }
    let mut sorted = group.to_vec();
    sorted.sort_unstable();
    let mut entries = Vec::new();
    for run in sorted.chunks(MOST_ALTERNATIVES) {
        match for_group(run, universe, false, Reach::Names).filter(|_| run.len() > 1) {
            Some(glob) => entries.push((glob, run.to_vec())),
            None => entries.extend(run.iter().map(|name| (single(name, universe), vec![*name]))),
        }
    }
    entries
}

/// The glob for one name: its generalized form where that selects it alone, else the name.
pub fn single(name: &str, universe: &[&str]) -> String {
    let general = generalized(name);
    // Without a glob character it is the name itself: it selects that resource alone,
    // and checking it against every name would make a large account's import quadratic.
    if !general.contains('*') {
        return general;
    }
    if selects_exactly(&general, &[name], universe) { general } else { literal(name) }
}

/// True when the glob matches every name of the group and no other name of the universe.
pub fn selects_exactly(pattern: &str, group: &[&str], universe: &[&str]) -> bool {
    let Ok(glob) = NameGlob::new(pattern) else { return false };
    group.iter().all(|name| glob.matches(name)) && universe.iter().all(|name| group.contains(name) || !glob.matches(name))
}

/// The longest prefix all patterns share, ending after a delimiter.
fn common_prefix(patterns: &[String]) -> String {
    let first = &patterns[0];
    let mut length = first.len();
    for pattern in &patterns[1..] {
        length = length.min(first.bytes().zip(pattern.bytes()).take_while(|(a, b)| a == b).count());
    }
    let shared = &first[..length];
    match shared.rfind(DELIMITERS) {
        Some(at) if !shared[..at].ends_with('\\') => shared[..=at].to_owned(),
        _ => String::new(),
    }
}

/// The longest suffix all patterns share past `prefix_length`, starting at a delimiter.
fn common_suffix(patterns: &[String], prefix_length: usize) -> String {
    let first = &patterns[0][prefix_length..];
    let mut length = first.len();
    for pattern in &patterns[1..] {
        let rest = &pattern[prefix_length..];
        length = length.min(first.bytes().rev().zip(rest.bytes().rev()).take_while(|(a, b)| a == b).count());
    }
    // Every middle keeps at least one character.
    let shortest = patterns.iter().map(|pattern| pattern.len() - prefix_length).min().unwrap_or(0);
    length = length.min(shortest.saturating_sub(1));
    let shared = &first[first.len() - length..];
    match shared.find(DELIMITERS) {
        Some(at) => shared[at..].to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_suffixes_become_stars_and_words_stay() {
        assert_eq!(generalized("z360-staging-Cluster-rTtLLOHCi694"), "z360-staging-Cluster-*");
        assert_eq!(generalized("z360-staging-web-Service-NVLWiAgNh0UF"), "z360-staging-web-Service-*");
        assert_eq!(generalized("z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v"), "z360-staging-addonsstack-*-z360dbcluster-*");
        assert_eq!(generalized("livkit-recordings"), "livkit-recordings");
        // Names people give keep their numbers: version-like tokens, dates, engines.
        for name in
            ["orders-db-pg16v2", "billing-aurora-mysql8x0", "logs-2024q1a2", "agent2-worker", "z360dbcluster", "ml-resnet50v2imagenet1k", "mysql80aurora3"]
        {
            assert_eq!(generalized(name), name);
        }
        assert_eq!(generalized("/z360/beta/reverb/app-key"), "/z360/beta/reverb/app-key");
        assert_eq!(generalized("logs[1]"), "logs\\[1\\]");
        assert_eq!(generalized("vpc-0a5c9e1f3b7d68024"), "vpc-0a5c9e1f3b7d68024");
    }

    #[test]
    fn a_group_gets_a_prefix_then_alternatives_and_never_a_glob_that_catches_another_name() {
        let universe = ["z360-beta-queue-Service-Mm4kW7yTn2Bd", "z360-beta-reverb-Service-Qp8sL3vXc6Ne", "z360-beta-web-Service-Hx5tR2wPq9Zc"];
        assert_eq!(for_group(&universe, &universe, true, Reach::Prefix).as_deref(), Some("z360-beta-*"));
        assert_eq!(for_group(&universe[1..], &universe, false, Reach::Prefix).as_deref(), Some("z360-beta-{reverb,web}-Service-*"));
        assert_eq!(for_group(&universe[..1], &universe, false, Reach::Prefix).as_deref(), Some("z360-beta-queue-Service-*"));
        // Two names that generalize alike, in different groups: only exact names tell them apart.
        let twins = ["app-Service-rTtLLOHCi694", "app-Service-4kTq8ZbW1mXe"];
        assert_eq!(for_group(&twins[..1], &twins, false, Reach::Prefix), None);
        assert_eq!(single(twins[0], &twins), "app-Service-rTtLLOHCi694");
    }

    #[test]
    fn a_group_that_interleaves_with_another_is_written_in_runs_of_alternatives() {
        let names: Vec<String> = (0..20).map(|index| format!("team-svc{index:02}-Service")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let even: Vec<&str> = names.iter().step_by(2).copied().collect();
        let entries = globs(&even, &names, false, Reach::Prefix);
        let written: Vec<&str> = entries.iter().map(|(glob, _)| glob.as_str()).collect();
        assert_eq!(written, ["team-{svc00,svc02,svc04,svc06,svc08,svc10,svc12,svc14}-Service", "team-{svc16,svc18}-Service"]);
        assert_eq!(entries.iter().map(|(_, group)| group.len()).sum::<usize>(), 10);
    }

    #[test]
    fn names_reach_no_further_than_their_generated_suffixes() {
        let universe = ["prod-db", "prod-analytics", "staging-db"];
        assert_eq!(for_group(&universe[..2], &universe, false, Reach::Names).as_deref(), Some("prod-{analytics,db}"));
        assert_eq!(for_group(&universe[..2], &universe, false, Reach::Prefix).as_deref(), Some("prod-*"));
        assert_eq!(for_group(&universe, &universe, true, Reach::Names).as_deref(), Some("{prod-analytics,prod-db,staging-db}"));
    }

    #[test]
    fn the_whole_kind_is_a_star_only_past_what_alternatives_can_list() {
        let names: Vec<String> = (0..10).map(|index| format!("bucket{index}x")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(for_group(&names, &names, true, Reach::Prefix).as_deref(), Some("*"));
        assert_eq!(for_group(&names[..3], &names, false, Reach::Prefix).as_deref(), Some("{bucket0x,bucket1x,bucket2x}"));
    }
}
