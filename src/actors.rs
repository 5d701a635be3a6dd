//! The actor gazetteer: named actors (countries, blocs, organisations, armed
//! groups) with canonical ids and their surface forms, and a fast matcher
//! that finds them in Arabic text.
//!
//! Ids are ISO 3166-1 alpha-3 for countries (USA, RUS, IRN …) and lowercase
//! slugs for the rest (west, eu, nato, houthis …). The built-in list is
//! `models/actors.tsv`, compiled into the binary; users extend or replace it
//! with their own file in the same format:
//!
//! ```text
//! id<TAB>kind<TAB>name<TAB>alias|alias|…      (lines starting with # are comments)
//! #mask<TAB>phrase|phrase|…                   (non-actor phrases, see below)
//! ```
//!
//! Mask phrases are longer expressions that contain an alias but do not name
//! the actor ("الضفة الغربية" holds الغربية → west, "أمريكا اللاتينية" holds
//! أمريكا → USA, "المحيط الأطلسي" holds الأطلسي → nato). They take part in
//! the longest-match selection like aliases, so an alias inside a mask phrase
//! is not reported, and the phrase itself is dropped from the result.
//!
//! Matching runs over normalized text with one Aho–Corasick automaton of all
//! aliases, keeps matches that end at a word end and start at a word start
//! or right after an attached clitic (و ف ب ك ل ال and their combinations),
//! prefers the longest match, and maps spans back to the original text.

use crate::text::{CLITICS, NormalizedText, Normalizer, Target, is_word_char};
use crate::{Error, Location, Result};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// The built-in gazetteer file.
pub const BUILTIN_ACTORS: &str = include_str!("../models/actors.tsv");

/// What kind of actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A state (ISO 3166-1 alpha-3 id).
    Country,
    /// A group of states or a political bloc (west, eu, gcc …).
    Bloc,
    /// An international or national organisation (un, iaea …).
    Organisation,
    /// An armed group.
    ArmedGroup,
    /// A political movement or party.
    Movement,
}

impl ActorKind {
    fn parse(s: &str) -> Option<ActorKind> {
        Some(match s {
            "country" => ActorKind::Country,
            "bloc" => ActorKind::Bloc,
            "organisation" => ActorKind::Organisation,
            "armed_group" => ActorKind::ArmedGroup,
            "movement" => ActorKind::Movement,
            _ => return None,
        })
    }
}

/// One actor of the gazetteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Canonical id.
    pub id: String,
    /// Kind.
    pub kind: ActorKind,
    /// Main Arabic name.
    pub name: String,
    /// Surface forms (without attached clitics).
    pub aliases: Vec<String>,
}

/// One actor mention found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The actor's id.
    pub actor: String,
    /// Byte range in the original text, including an attached clitic.
    pub span: Range<usize>,
}

/// Prefixes that stand for the article of an alias whose article was removed.
const ARTICLE_PREFIXES: [&str; 8] = ["ال", "وال", "بال", "فال", "كال", "لل", "ولل", "فلل"];

/// A compiled gazetteer.
///
/// ```
/// use nabra::actors::Gazetteer;
/// let g = Gazetteer::builtin();
/// let text = "وقال بوتين إن موسكو لن تقبل الضغوط الأمريكية على بكين";
/// let ids: Vec<String> = g.find(text).into_iter().map(|m| m.actor).collect();
/// assert_eq!(ids, ["RUS", "RUS", "USA", "CHN"]);
/// ```
#[derive(Debug, Clone)]
pub struct Gazetteer {
    actors: Vec<Actor>,
    by_id: HashMap<String, usize>,
    normalizer: Normalizer,
    automaton: AhoCorasick,
    /// For each automaton pattern: the actor index, and whether the pattern
    /// is an alias with its article removed (for "للرياض", where ل + ال
    /// merge), which only matches after such a prefix.
    pattern_actor: Vec<(usize, bool)>,
    /// Non-actor phrases that hide the aliases inside them.
    masks: Vec<String>,
}

/// Bloc or organisation names that, right before a country's nisba, name a
/// national thing instead ("الغرب الليبي", "مجلس الأمن الروسي"):
/// (actor id, normalized ending of the matched alias).
const NATIONAL_FORMS: [(&str, &str); 2] = [("west", "الغرب"), ("unsc", "مجلس الامن")];

/// Pattern owner standing for a mask phrase.
const MASK: usize = usize::MAX;

impl Gazetteer {
    /// The built-in gazetteer (`models/actors.tsv`).
    pub fn builtin() -> Gazetteer {
        Gazetteer::from_tsv(BUILTIN_ACTORS, Path::new("<built-in actors.tsv>"))
            .expect("the built-in gazetteer is checked by the test suite")
    }

    /// Reads a gazetteer file.
    pub fn load(path: impl AsRef<Path>) -> Result<Gazetteer> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Gazetteer::from_tsv(&text, path)
    }

    /// Parses gazetteer text; `name` is used in error messages.
    ///
    /// ```
    /// use nabra::actors::Gazetteer;
    /// let g = Gazetteer::from_tsv("id\tkind\tname\taliases\nwagner\tarmed_group\tفاغنر\tفاغنر|مجموعة فاغنر\n", "x.tsv".as_ref())?;
    /// assert_eq!(g.find("انسحاب مجموعة فاغنر")[0].actor, "wagner");
    /// let err = Gazetteer::from_tsv("id\tkind\tname\taliases\nbad line\n", "x.tsv".as_ref()).unwrap_err();
    /// assert!(err.to_string().starts_with("x.tsv:2:"));
    /// # Ok::<(), nabra::Error>(())
    /// ```
    pub fn from_tsv(text: &str, name: &Path) -> Result<Gazetteer> {
        let mut actors = Vec::new();
        let mut masks = Vec::new();
        let mut header_seen = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if let Some(rest) = line.strip_prefix("#mask\t") {
                masks.extend(
                    rest.split('|')
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .map(str::to_string),
                );
                continue;
            }
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let at = || Location::new(name, Some(i as u64 + 1));
            let bad = |message: String| Error::BadRecord { at: at(), message };
            let f: Vec<&str> = line.split('\t').collect();
            if !header_seen {
                header_seen = true;
                if f.first() == Some(&"id") {
                    continue;
                }
            }
            if f.len() != 4 {
                return Err(bad(format!(
                    "expected 4 tab-separated fields (id, kind, name, aliases), found {}",
                    f.len()
                )));
            }
            let kind =
                ActorKind::parse(f[1]).ok_or_else(|| bad(format!("unknown kind {:?}", f[1])))?;
            let aliases: Vec<String> = f[3]
                .split('|')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            if f[0].trim().is_empty() || aliases.is_empty() {
                return Err(bad("empty id or no aliases".into()));
            }
            actors.push(Actor {
                id: f[0].trim().to_string(),
                kind,
                name: f[2].trim().to_string(),
                aliases,
            });
        }
        Gazetteer::with_masks(actors, masks)
    }

    /// Builds a gazetteer from actors. Later actors with an id already seen
    /// add their aliases to it.
    pub fn new(actors: Vec<Actor>) -> Result<Gazetteer> {
        Gazetteer::with_masks(actors, Vec::new())
    }

    /// Builds a gazetteer from actors and mask phrases: longer non-actor
    /// expressions whose inner aliases are not matches.
    ///
    /// ```
    /// use nabra::actors::{Actor, ActorKind, Gazetteer};
    /// let west = Actor {
    ///     id: "west".into(),
    ///     kind: ActorKind::Bloc,
    ///     name: "الغرب".into(),
    ///     aliases: vec!["الغرب".into(), "الغربية".into()],
    /// };
    /// let g = Gazetteer::with_masks(vec![west], vec!["الضفة الغربية".into()])?;
    /// assert!(g.find("الاستيطان في الضفة الغربية").is_empty());
    /// assert_eq!(g.find("العواصم الغربية والغرب").len(), 2);
    /// # Ok::<(), nabra::Error>(())
    /// ```
    pub fn with_masks(actors: Vec<Actor>, masks: Vec<String>) -> Result<Gazetteer> {
        let mut merged: Vec<Actor> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for a in actors {
            match by_id.get(&a.id) {
                Some(&i) => {
                    for alias in a.aliases {
                        if !merged[i].aliases.contains(&alias) {
                            merged[i].aliases.push(alias);
                        }
                    }
                }
                None => {
                    by_id.insert(a.id.clone(), merged.len());
                    merged.push(a);
                }
            }
        }
        let normalizer = Normalizer::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_actor = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut buf = String::new();
        for core in [false, true] {
            for (i, a) in merged.iter().enumerate() {
                for alias in &a.aliases {
                    normalizer.normalize_into(alias, &mut buf);
                    let mut p = buf.split_whitespace().collect::<Vec<_>>().join(" ");
                    if core {
                        match p.strip_prefix("ال") {
                            Some(rest) if rest.chars().count() >= 3 => p = rest.to_string(),
                            _ => continue,
                        }
                    }
                    if p.is_empty() || seen.contains_key(&p) {
                        continue; // first actor listing a form keeps it; plain forms win
                    }
                    seen.insert(p.clone(), i);
                    patterns.push(p);
                    pattern_actor.push((i, core));
                }
            }
        }
        let mut kept_masks: Vec<String> = Vec::new();
        for m in masks {
            if !kept_masks.contains(&m) {
                kept_masks.push(m);
            }
        }
        for core in [false, true] {
            for m in &kept_masks {
                normalizer.normalize_into(m, &mut buf);
                let mut p = buf.split_whitespace().collect::<Vec<_>>().join(" ");
                if core {
                    match p.strip_prefix("ال") {
                        Some(rest) if rest.chars().count() >= 3 => p = rest.to_string(),
                        _ => continue,
                    }
                }
                if !p.is_empty() && !seen.contains_key(&p) {
                    seen.insert(p.clone(), MASK);
                    patterns.push(p);
                    pattern_actor.push((MASK, core));
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|e| Error::InvalidParams(format!("gazetteer automaton: {e}")))?;
        Ok(Gazetteer {
            actors: merged,
            by_id,
            normalizer,
            automaton,
            pattern_actor,
            masks: kept_masks,
        })
    }

    /// Adds (or extends) actors from another gazetteer.
    pub fn extend(self, other: Gazetteer) -> Result<Gazetteer> {
        let mut actors = self.actors;
        actors.extend(other.actors);
        let mut masks = self.masks;
        masks.extend(other.masks);
        Gazetteer::with_masks(actors, masks)
    }

    /// The mask phrases (non-actor expressions that hide inner aliases).
    pub fn masks(&self) -> &[String] {
        &self.masks
    }

    /// All actors.
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// The actor with this id.
    pub fn get(&self, id: &str) -> Option<&Actor> {
        self.by_id.get(id).map(|&i| &self.actors[i])
    }

    /// The actor as a stance [`Target`]: its id as key, its aliases as forms.
    ///
    /// ```
    /// let t = nabra::actors::Gazetteer::builtin().target("IRN").unwrap();
    /// assert_eq!(t.key(), "IRN");
    /// assert!(t.aliases().iter().any(|a| a == "طهران"));
    /// ```
    pub fn target(&self, id: &str) -> Option<Target> {
        self.get(id)
            .map(|a| Target::with_aliases(a.id.clone(), a.aliases.iter().cloned()))
    }

    /// Finds actor mentions in `text`, in order, non-overlapping, longest first.
    pub fn find(&self, text: &str) -> Vec<Mention> {
        let norm = self.normalizer.normalize(text);
        self.find_normalized(&norm)
    }

    /// Like [`Gazetteer::find`] on already normalized text (with its offsets).
    pub fn find_normalized(&self, norm: &NormalizedText) -> Vec<Mention> {
        let s = norm.as_str();
        let mut cands: Vec<(usize, usize, usize)> = Vec::new(); // (start incl. clitic, end, actor)
        for m in self.automaton.find_overlapping_iter(s) {
            let (ms, me) = (m.start(), m.end());
            if s[me..].chars().next().is_some_and(is_word_char) {
                continue;
            }
            let word_start = s[..ms]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_word_char(c))
                .last()
                .map_or(ms, |(i, _)| i);
            let prefix = &s[word_start..ms];
            let (actor, core) = self.pattern_actor[m.pattern().as_usize()];
            let ok = if core {
                ARTICLE_PREFIXES.contains(&prefix)
            } else {
                prefix.is_empty() || CLITICS.contains(&prefix)
            };
            if ok {
                cands.push((word_start, me, actor));
            }
        }
        // longest first, then leftmost; keep those that do not overlap a kept one
        cands.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
        // kept spans by start: an overlap check is two neighbour lookups
        let mut kept: std::collections::BTreeMap<usize, (usize, usize)> =
            std::collections::BTreeMap::new();
        for (cs, ce, a) in cands {
            let before_ok = kept
                .range(..=cs)
                .next_back()
                .is_none_or(|(_, &(e, _))| e <= cs);
            let after_ok = kept.range(cs..).next().is_none_or(|(&s, _)| ce <= s);
            if before_ok && after_ok {
                kept.insert(cs, (ce, a));
            }
        }
        let kept: Vec<(usize, usize, usize)> =
            kept.into_iter().map(|(s0, (e0, a))| (s0, e0, a)).collect();
        // "الغرب الليبي" is the west of a country, not the West; "مجلس الأمن
        // الروسي" a national security council, not the UN one
        let region = |i: usize| {
            let (s0, e0, a) = kept[i];
            a != MASK
                && NATIONAL_FORMS
                    .iter()
                    .any(|(id, tail)| self.actors[a].id == *id && s[s0..e0].ends_with(tail))
                && kept.get(i + 1).is_some_and(|&(s1, _, b)| {
                    b != MASK
                        && self.actors[b].kind == ActorKind::Country
                        && s[e0..s1].chars().all(char::is_whitespace)
                        && s1 > e0
                        && s[s1..].starts_with("ال")
                })
        };
        let drop: Vec<bool> = (0..kept.len()).map(region).collect();
        kept.into_iter()
            .zip(drop)
            .filter(|(_, d)| !d)
            .map(|(k, _)| k)
            .filter(|k| k.2 != MASK)
            .map(|(s0, e0, a)| Mention {
                actor: self.actors[a].id.clone(),
                span: norm.original_range(s0..e0),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(g: &Gazetteer, text: &str) -> Vec<(String, String)> {
        g.find(text)
            .into_iter()
            .map(|m| (m.actor, text[m.span].to_string()))
            .collect()
    }

    #[test]
    fn clitics_longest_match_and_original_spans() {
        let g = Gazetteer::builtin();
        let got = ids(&g, "وأكد أن بالولايات المتحدة الأمريكية وللرياض موقفاً");
        assert_eq!(
            got,
            [
                ("USA".to_string(), "بالولايات المتحدة الأمريكية".to_string()),
                ("SAU".to_string(), "وللرياض".to_string()),
            ]
        );
    }

    #[test]
    fn no_matches_inside_words() {
        let g = Gazetteer::builtin();
        // "روسي" must not match inside an unrelated longer word
        assert!(ids(&g, "الروسيات").is_empty() || ids(&g, "الروسيات")[0].1 != "روسي");
        assert!(ids(&g, "مترو").is_empty());
    }

    #[test]
    fn diacritics_and_variants() {
        let g = Gazetteer::builtin();
        let got = ids(&g, "قالت طَهْرانُ إن أميركا");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], ("IRN".to_string(), "طَهْرانُ".to_string()));
        assert_eq!(got[1].0, "USA");
    }

    #[test]
    fn masks_hide_aliases_in_non_actor_phrases() {
        let g = Gazetteer::builtin();
        assert!(ids(&g, "الاستيطان في الضفة الغربية والصحراء الغربية").is_empty());
        assert!(ids(&g, "دول أمريكا اللاتينية والمحيط الأطلسي").is_empty());
        assert!(ids(&g, "بالضفة الغربية وللضفة الغربية").is_empty());
        // a country nisba after "الغرب" is kept, the West is not
        let got = ids(&g, "في الغرب الليبي");
        assert_eq!(got, [("LBY".to_string(), "الليبي".to_string())]);
        let got = ids(&g, "أمين مجلس الأمن الروسي");
        assert_eq!(got, [("RUS".to_string(), "الروسي".to_string())]);
        // real mentions stay
        let got = ids(&g, "العواصم الغربية وأمريكا وحلف الأطلسي");
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn user_file_extends_builtin() {
        let extra = Gazetteer::from_tsv(
            "id\tkind\tname\taliases\nUSA\tcountry\tx\tالعم سام\n",
            Path::new("u.tsv"),
        )
        .unwrap();
        let g = Gazetteer::builtin().extend(extra).unwrap();
        assert_eq!(g.find("انتقد العم سام")[0].actor, "USA");
    }
}
