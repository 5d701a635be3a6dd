//! Checks on our own corpora in `datasets/`: schema, labels, actor ids,
//! balance, and no duplicates or near-duplicates across splits.

use nabra::text::Normalizer;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Actor ids by group (ISO 3166-1 alpha-3 for countries, slugs otherwise).
const ACTORS: &[(&str, &[&str])] = &[
    (
        "powers_and_blocs",
        &[
            "USA", "RUS", "CHN", "GBR", "FRA", "DEU", "UKR", "JPN", "IND", "west", "eu", "nato",
        ],
    ),
    (
        "regional_states",
        &[
            "IRN", "TUR", "ISR", "SAU", "ARE", "QAT", "EGY", "SYR", "IRQ", "JOR", "LBN",
        ],
    ),
    (
        "other_states",
        &[
            "YEM", "PSE", "LBY", "SDN", "DZA", "MAR", "TUN", "KWT", "OMN", "BHR", "PAK", "AFG",
            "ETH", "SOM",
        ],
    ),
    (
        "organisations",
        &[
            "un",
            "unsc",
            "gcc",
            "arab_league",
            "african_union",
            "iaea",
            "who",
        ],
    ),
    (
        "armed_and_political_groups",
        &[
            "houthis",
            "hezbollah",
            "isis",
            "hamas",
            "al_qaeda",
            "muslim_brotherhood",
            "taliban",
            "pkk",
        ],
    ),
];

struct Row {
    line: u64,
    fields: HashMap<String, String>,
}

/// Reads a corpus strictly: UTF-8, every field present and non-empty.
fn read(path: &str, columns: &[&str]) -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, columns, "{path}: header");
    let mut rows = Vec::new();
    for rec in rdr.byte_records() {
        let rec = rec.unwrap_or_else(|e| panic!("{path}: {e}"));
        let line = rec.position().map_or(0, |p| p.line());
        let mut fields = HashMap::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            let v =
                std::str::from_utf8(v).unwrap_or_else(|_| panic!("{path}:{line}: invalid UTF-8"));
            assert!(!v.trim().is_empty(), "{path}:{line}: empty {h}");
            assert_eq!(v, v.trim(), "{path}:{line}: {h} has surrounding spaces");
            fields.insert(h.clone(), v.to_string());
        }
        rows.push(Row { line, fields });
    }
    rows
}

fn words(n: &Normalizer, text: &str) -> Vec<String> {
    let mut buf = String::new();
    n.normalize_into(text, &mut buf);
    nabra::text::tokenize(&buf)
        .iter()
        .filter(|t| t.kind == nabra::text::TokenKind::Word)
        .map(|t| t.text(&buf).to_string())
        .collect()
}

/// Pairs (held-out text, train text) whose word-trigram sets have Jaccard
/// similarity ≥ `threshold`, found through an inverted index.
fn near_duplicates(
    held_out: &[&str],
    train: &[&str],
    threshold: f64,
) -> Vec<(String, String, f64)> {
    let n = Normalizer::default();
    let shingles = |t: &str| -> HashSet<String> {
        let w = words(&n, t);
        if w.len() < 3 {
            return w.into_iter().collect();
        }
        w.windows(3).map(|x| x.join(" ")).collect()
    };
    let train_sh: Vec<HashSet<String>> = train.iter().map(|t| shingles(t)).collect();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in train_sh.iter().enumerate() {
        for g in s {
            index.entry(g.as_str()).or_default().push(i);
        }
    }
    let mut found = Vec::new();
    for t in held_out {
        let s = shingles(t);
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for g in &s {
            for &i in index.get(g.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                *shared.entry(i).or_default() += 1;
            }
        }
        for (i, k) in shared {
            let j = k as f64 / (s.len() + train_sh[i].len() - k) as f64;
            if j >= threshold {
                found.push((t.to_string(), train[i].to_string(), j));
            }
        }
    }
    found
}

fn split_texts<'a>(rows: &'a [Row], splits: &[&str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = rows
        .iter()
        .filter(|r| splits.contains(&r.fields["split"].as_str()))
        .map(|r| r.fields["text"].as_str())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The row's label index in `labels`; fails on an unknown label or split.
fn label_and_split(at: &str, f: &HashMap<String, String>, labels: &[&str]) -> usize {
    assert!(
        ["train", "dev", "test"].contains(&f["split"].as_str()),
        "{at}: split {}",
        f["split"]
    );
    labels
        .iter()
        .position(|l| *l == f["label"])
        .unwrap_or_else(|| panic!("{at}: unknown label {}", f["label"]))
}

/// Every label has at least 1/`min_share` of each split, and no test
/// sentence is a near-duplicate of a train or dev sentence.
fn check_splits(rows: &[Row], per_split: &BTreeMap<&str, [usize; 3]>, min_share: usize) {
    for (split, c) in per_split {
        let total: usize = c.iter().sum();
        assert!(
            c.iter().all(|&n| n * min_share >= total),
            "{split}: unbalanced {c:?}"
        );
    }
    let dups = near_duplicates(
        &split_texts(rows, &["test"]),
        &split_texts(rows, &["train", "dev"]),
        0.6,
    );
    assert!(
        dups.is_empty(),
        "test sentences too close to train/dev: {dups:#?}"
    );
}

#[test]
fn stance_corpus_is_well_formed() {
    let path = "datasets/news_stance.csv";
    let rows = read(
        path,
        &["text", "target", "actor", "actor_group", "label", "split"],
    );
    assert!(rows.len() >= 3000, "{} rows", rows.len());
    let mut seen = HashSet::new();
    let mut per_actor: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut per_split: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    let mut split_of_text: HashMap<&str, &str> = HashMap::new();
    for r in &rows {
        let f = &r.fields;
        let at = format!("{path}:{}", r.line);
        let group = ACTORS
            .iter()
            .find(|(_, ids)| ids.contains(&f["actor"].as_str()))
            .unwrap_or_else(|| panic!("{at}: unknown actor id {}", f["actor"]));
        assert_eq!(group.0, f["actor_group"], "{at}: actor group");
        assert!(
            f["text"].contains(f["target"].as_str()),
            "{at}: target not in text"
        );
        let li = label_and_split(&at, f, &["favor", "against", "neutral"]);
        assert!(
            seen.insert((f["text"].as_str(), f["actor"].as_str())),
            "{at}: duplicate row"
        );
        let prev = split_of_text.insert(f["text"].as_str(), f["split"].as_str());
        assert!(
            prev.is_none_or(|p| p == f["split"]),
            "{at}: one sentence in two splits"
        );
        per_actor.entry(f["actor"].as_str()).or_default()[li] += 1;
        per_split.entry(f["split"].as_str()).or_default()[li] += 1;
    }
    assert!(per_actor.len() >= 40, "{} actors", per_actor.len());
    for (actor, c) in &per_actor {
        assert!(
            c.iter().all(|&n| n >= 10),
            "{actor}: labels {c:?} (favor, against, neutral)"
        );
    }
    check_splits(&rows, &per_split, 5);
}

#[test]
fn sentiment_corpus_is_well_formed() {
    let path = "datasets/news_sentiment.csv";
    let rows = read(path, &["text", "label", "split"]);
    assert!(rows.len() >= 2000, "{} rows", rows.len());
    let mut seen = HashSet::new();
    let mut per_split: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for r in &rows {
        let f = &r.fields;
        let at = format!("{path}:{}", r.line);
        let li = label_and_split(&at, f, &["positive", "negative", "neutral"]);
        assert!(seen.insert(f["text"].as_str()), "{at}: duplicate text");
        per_split.entry(f["split"].as_str()).or_default()[li] += 1;
    }
    check_splits(&rows, &per_split, 4);
}

#[test]
fn near_duplicate_check_catches_a_paraphrase() {
    let a = "أكد وزير الخارجية أن بلاده ترفض أي تدخل خارجي في شؤونها الداخلية";
    let b = "أكد وزير الخارجية أن بلاده ترفض أي تدخل خارجي في شؤونها الداخلية والإقليمية";
    let c = "ارتفعت أسعار النفط في الأسواق العالمية خلال تعاملات اليوم";
    assert_eq!(near_duplicates(&[b], &[a, c], 0.6).len(), 1);
    assert!(near_duplicates(&[c], &[a], 0.6).is_empty());
}

/// `models/actors.tsv`: the actor gazetteer shared by the corpora and the
/// article scorer. Lines starting with `#` are comments.
fn gazetteer() -> HashMap<String, (String, Vec<String>)> {
    let text = std::fs::read_to_string("models/actors.tsv").expect("models/actors.tsv");
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let (_, header) = lines.next().expect("header");
    assert_eq!(header, "id\tkind\tname\taliases");
    let mut out = HashMap::new();
    let mut owner: HashMap<String, String> = HashMap::new();
    for (i, line) in lines {
        let at = format!("models/actors.tsv:{}", i + 1);
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "{at}: 4 fields");
        let id = f[0];
        let iso = id.len() == 3 && id.chars().all(|c| c.is_ascii_uppercase());
        let slug = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert!(
            iso || slug,
            "{at}: id {id} is neither ISO alpha-3 nor a slug"
        );
        assert!(
            ["country", "bloc", "organisation", "armed_group", "movement"].contains(&f[1]),
            "{at}: kind"
        );
        assert_eq!(
            iso,
            f[1] == "country",
            "{at}: countries and only countries use ISO codes"
        );
        let aliases: Vec<String> = f[3].split('|').map(str::to_string).collect();
        for a in &aliases {
            assert!(
                !a.trim().is_empty() && a == a.trim(),
                "{at}: empty or padded alias"
            );
            if let Some(prev) = owner.insert(a.clone(), id.to_string()) {
                assert_eq!(prev, id, "{at}: alias {a} also belongs to {prev}");
            }
        }
        assert!(
            out.insert(id.to_string(), (f[1].to_string(), aliases))
                .is_none(),
            "{at}: duplicate id"
        );
    }
    out
}

#[test]
fn gazetteer_is_consistent_with_the_corpora() {
    let g = gazetteer();
    assert!(g.len() >= 100, "{} actors", g.len());
    for (_, ids) in ACTORS {
        for id in *ids {
            assert!(
                g.contains_key(*id),
                "stance corpus actor {id} missing from the gazetteer"
            );
        }
    }
    // each stance row's target is one of its actor's aliases, give or take
    // attached clitics and the article
    let rows = read(
        "datasets/news_stance.csv",
        &["text", "target", "actor", "actor_group", "label", "split"],
    );
    let n = Normalizer::default();
    let norm = |s: &str| {
        let mut b = String::new();
        n.normalize_into(s, &mut b);
        b
    };
    let mut unknown = 0;
    for r in &rows {
        let aliases: Vec<String> = g[&r.fields["actor"]].1.iter().map(|a| norm(a)).collect();
        let t = norm(&r.fields["target"]);
        let bare = t.strip_prefix("ال").unwrap_or(&t);
        if !aliases
            .iter()
            .any(|a| *a == t || a.strip_prefix("ال").unwrap_or(a) == bare)
        {
            unknown += 1;
        }
    }
    // surface forms in free text are more varied than any list; most must be known
    assert!(
        unknown * 5 < rows.len(),
        "{unknown} of {} targets are not gazetteer aliases",
        rows.len()
    );
}

#[test]
fn annotated_articles_are_well_formed() {
    let g = gazetteer();
    let mut quotes = 0;
    let mut ids = HashSet::new();
    for file in [
        "datasets/articles/tune.jsonl",
        "datasets/articles/heldout.jsonl",
    ] {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (i, line) in text.lines().enumerate() {
            let at = format!("{file}:{}", i + 1);
            let a: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{at}: {e}"));
            let body = a["text"].as_str().unwrap_or_else(|| panic!("{at}: text"));
            assert!(
                ids.insert(a["id"].as_str().unwrap().to_string()),
                "{at}: duplicate id"
            );
            assert!(
                ["tune", "heldout"].contains(&a["split"].as_str().unwrap()),
                "{at}: split"
            );
            for q in a["quotes"].as_array().unwrap() {
                quotes += 1;
                let qt = q["text"].as_str().unwrap();
                assert!(body.contains(qt), "{at}: quote not in text: {qt}");
                assert!(
                    ["direct", "indirect"].contains(&q["kind"].as_str().unwrap()),
                    "{at}: kind"
                );
                assert!(
                    !q["speaker"].as_str().unwrap().trim().is_empty(),
                    "{at}: speaker"
                );
                for x in q["actors"].as_array().unwrap() {
                    assert!(
                        g.contains_key(x["actor"].as_str().unwrap()),
                        "{at}: unknown actor {}",
                        x["actor"]
                    );
                    assert!(
                        body.contains(x["surface"].as_str().unwrap()),
                        "{at}: surface not in text"
                    );
                    assert!(
                        ["favor", "against", "neutral"].contains(&x["stance"].as_str().unwrap()),
                        "{at}: stance"
                    );
                }
            }
        }
    }
    assert!(quotes >= 200, "{quotes} quotes");
}
