//! The effective scenario: the file as written with every `--set` override applied, and the
//! scenario's hash. Both are provenance: an output directory's `scenario.toml` is the effective
//! text, so rerunning it without overrides gives the same numbers, and `summary.json` names the
//! hash of the validated scenario it was computed from.

use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, Item, Value};

use super::{Scenario, ScenarioError};

/// The scenario text with `overrides` (`path=value`, as for [`super::parse`]) applied.
///
/// The file's comments and layout are kept; each overridden value is replaced in place (or
/// added where the file left it out), and a comment block at the top lists the overrides. With
/// no overrides the text is returned unchanged. Call it with overrides that [`super::parse`]
/// accepted; a path that does not lead to a value is an error naming it.
pub fn effective_toml(text: &str, overrides: &[String]) -> Result<String, ScenarioError> {
    if overrides.is_empty() {
        return Ok(text.to_string());
    }
    let bad = |spec: &str, m: String| ScenarioError { field: spec.to_string(), message: m, span: None };
    let mut doc: DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| bad("", format!("scenario is not valid TOML: {e}")))?;
    for spec in overrides {
        let (path, raw) =
            spec.split_once('=').ok_or_else(|| bad(spec, format!("--set '{spec}': expected key.path=value")))?;
        let normalised = path.trim().replace('[', ".").replace(']', "");
        let keys: Vec<&str> = normalised.split('.').collect();
        let value = parse_value(raw.trim());
        set(doc.as_item_mut(), &keys, value).map_err(|m| bad(spec, format!("--set '{spec}': {m}")))?;
    }
    let mut header = String::from(
        "# Effective scenario: the scenario file as given, with these --set overrides applied\n\
         # (dermasim run on this file alone gives the same numbers):\n",
    );
    for o in overrides {
        header.push_str(&format!("#   --set {o}\n"));
    }
    header.push('\n');
    Ok(header + &doc.to_string())
}

/// A `--set` value as TOML (numbers, booleans, arrays, inline tables, quoted strings), else
/// the bare text as a string: the same reading as [`super::parse`].
fn parse_value(raw: &str) -> Value {
    match format!("v = {raw}").parse::<DocumentMut>() {
        Ok(doc) => match doc.get("v") {
            Some(Item::Value(v)) => {
                let mut v = v.clone();
                v.decor_mut().clear();
                v
            }
            _ => Value::from(raw),
        },
        Err(_) => Value::from(raw),
    }
}

/// Sets `keys` under `item` to `value`, creating tables that are missing.
fn set(item: &mut Item, keys: &[&str], value: Value) -> Result<(), String> {
    let Some((key, rest)) = keys.split_first() else {
        return Err("no key".into());
    };
    if key.is_empty() {
        return Err("empty key".into());
    }
    // Step into an array element.
    if let Ok(i) = key.parse::<usize>() {
        let next = match item {
            Item::ArrayOfTables(a) => a.get_mut(i).map(ItemRef::Table),
            Item::Value(Value::Array(a)) => a.get_mut(i).map(ItemRef::Value),
            _ => None,
        }
        .ok_or_else(|| format!("'{key}' is not an index of a list"))?;
        return set_ref(next, rest, value);
    }
    match item {
        Item::None => {
            *item = Item::Table(toml_edit::Table::new());
            set(item, keys, value)
        }
        Item::Table(t) => {
            if rest.is_empty() {
                let decor = t.get(key).and_then(Item::as_value).map(|v| v.decor().clone());
                let mut value = value;
                if let Some(d) = decor {
                    *value.decor_mut() = d;
                }
                t.insert(key, Item::Value(value));
                Ok(())
            } else {
                let child = t.entry(key).or_insert(Item::None);
                if child.is_none() {
                    let mut nt = toml_edit::Table::new();
                    nt.set_implicit(true);
                    *child = Item::Table(nt);
                }
                set(child, rest, value)
            }
        }
        Item::Value(Value::InlineTable(t)) => set_ref(ItemRef::Inline(t), keys, value),
        _ => Err(format!("cannot go into '{key}': its parent is not a table")),
    }
}

enum ItemRef<'a> {
    Table(&'a mut toml_edit::Table),
    Inline(&'a mut toml_edit::InlineTable),
    Value(&'a mut Value),
}

fn set_ref(r: ItemRef<'_>, keys: &[&str], value: Value) -> Result<(), String> {
    match r {
        ItemRef::Table(t) => {
            // Reuse the item logic on a table borrowed in place.
            let mut item = Item::Table(std::mem::take(t));
            let result = set(&mut item, keys, value);
            if let Item::Table(back) = item {
                *t = back;
            }
            result
        }
        ItemRef::Inline(t) => {
            let Some((key, rest)) = keys.split_first() else {
                return Err("no key".into());
            };
            if rest.is_empty() {
                let mut value = value;
                if let Some(old) = t.get(key) {
                    *value.decor_mut() = old.decor().clone();
                } else {
                    value.decor_mut().set_prefix(" ");
                }
                t.insert(*key, value);
                return Ok(());
            }
            let child = t.get_or_insert(*key, Value::InlineTable(toml_edit::InlineTable::new()));
            set_ref(ItemRef::Value(child), rest, value)
        }
        ItemRef::Value(v) => {
            if keys.is_empty() {
                let decor = v.decor().clone();
                *v = value;
                *v.decor_mut() = decor;
                return Ok(());
            }
            match v {
                Value::InlineTable(t) => set_ref(ItemRef::Inline(t), keys, value),
                Value::Array(a) => {
                    let i = keys[0].parse::<usize>().map_err(|_| format!("'{}' is not an index of a list", keys[0]))?;
                    let next = a.get_mut(i).ok_or_else(|| format!("'{}' is not an index of this list", keys[0]))?;
                    set_ref(ItemRef::Value(next), &keys[1..], value)
                }
                _ => Err(format!("cannot go into '{}': its parent is not a table", keys[0])),
            }
        }
    }
}

/// SHA-256 (hex) of the validated scenario: every value after presets, defaults and overrides,
/// as canonical JSON, seed included. Two files that differ only in comments, layout or in
/// spelling out a default hash alike; the hash changes when a value the simulation reads
/// changes, or when a dermasim version adds a field to the scenario.
pub fn sha256(s: &Scenario) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    let digest = Sha256::digest(json.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"name = "Cheek"
# the skin
[skin]
site = "cheek"

[device]
type = "dermaroller"
preset = "roller-192"
needle_length_mm = 1.5 # clinic length

[protocol]
setting = "office"
area_cm2 = 4
passes = [{ direction_deg = 0, count = 1 }]

[[products]]
name = "caffeine"
concentration_mg_ml = 10
"#;

    fn eff(o: &[&str]) -> String {
        let o: Vec<String> = o.iter().map(|s| s.to_string()).collect();
        effective_toml(TEXT, &o).unwrap()
    }

    #[test]
    fn no_override_keeps_the_text() {
        assert_eq!(eff(&[]), TEXT);
    }

    #[test]
    fn overrides_are_applied_in_place_keeping_comments() {
        let t = eff(&["device.needle_length_mm=0.5", "simulation.seed=7", "products[0].concentration_mg_ml=20"]);
        assert!(t.contains("needle_length_mm = 0.5 # clinic length"), "{t}");
        assert!(!t.contains("1.5"), "{t}");
        assert!(t.contains("# the skin"));
        assert!(t.contains("#   --set device.needle_length_mm=0.5"));
        let s = super::super::parse(&t, &[]).unwrap();
        assert_eq!(s.device.needle.length_um, 500.0);
        assert_eq!(s.simulation.seed, 7);
        assert_eq!(s.products[0].concentration_mg_ml, 20.0);
    }

    #[test]
    fn the_effective_text_parses_to_the_overridden_scenario() {
        let cases: &[&[&str]] = &[
            &["protocol.passes[0].count=3", "name=Other"],
            &["protocol.passes.0.direction_deg=45"],
            &["products[0].name=\"niacinamide\""],
            &["skin.site=forehead", "patient.age_years=50"],
        ];
        for o in cases {
            let o: Vec<String> = o.iter().map(|s| s.to_string()).collect();
            let direct = super::super::parse(TEXT, &o).unwrap();
            let t = effective_toml(TEXT, &o).unwrap();
            let reparsed = super::super::parse(&t, &[]).unwrap();
            assert_eq!(Scenario { overrides: Vec::new(), ..direct.clone() }, reparsed, "{o:?}\n{t}");
            assert_eq!(sha256(&direct), sha256(&reparsed));
        }
    }

    #[test]
    fn hash_follows_values_not_layout() {
        let a = super::super::parse(TEXT, &[]).unwrap();
        let b = super::super::parse(&TEXT.replace("# the skin\n", "").replace("area_cm2 = 4", "area_cm2 = 4.0"), &[])
            .unwrap();
        let c = super::super::parse(TEXT, &["protocol.area_cm2=5".into()]).unwrap();
        assert_eq!(sha256(&a), sha256(&b));
        assert_ne!(sha256(&a), sha256(&c));
        assert_eq!(sha256(&a).len(), 64);
    }
}
