//! Stripe's form encoding: `a=1&meta[k]=v&list[]=x&list[1]=y&nested[a][b]=z`, decoded into a JSON tree
//! so handlers (and idempotency comparisons) work on one shape whatever the client's array style.

use serde_json::{Map, Value};

/// Parses a form-encoded body or query string. Leaves are strings; `[]` and `[N]` make arrays.
pub fn parse(input: &[u8]) -> Value {
    let mut root = Map::new();
    for (key, value) in form_urlencoded::parse(input) {
        let segments = split_key(&key);
        insert(&mut root, &segments, value.into_owned());
    }
    finish(Value::Object(root), "")
}

/// Deeper keys are taken literally: no Stripe parameter nests this far, and the parser recurses.
const MAX_DEPTH: usize = 8;

/// `a[b][]` → ["a", "b", ""]; a key with unbalanced brackets is taken literally.
fn split_key(key: &str) -> Vec<String> {
    let Some(open) = key.find('[') else { return vec![key.to_owned()] };
    let mut segments = vec![key[..open].to_owned()];
    let mut rest = &key[open..];
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(close) = stripped.find(']') else { return vec![key.to_owned()] };
        segments.push(stripped[..close].to_owned());
        rest = &stripped[close + 1..];
    }
    if rest.is_empty() && segments.len() <= MAX_DEPTH {
        segments
    } else {
        vec![key.to_owned()]
    }
}

fn insert(map: &mut Map<String, Value>, segments: &[String], value: String) {
    let Some((first, rest)) = segments.split_first() else { return };
    // `[]` appends: number it like an explicit index so both array styles end up alike.
    let key = if first.is_empty() { map.len().to_string() } else { first.clone() };
    if rest.is_empty() {
        map.insert(key, Value::String(value));
        return;
    }
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        // `metadata=&metadata[k]=v`: the later, structured form wins.
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(child) = slot {
        insert(child, rest, value);
    }
}

/// Turns objects keyed 0..n into arrays, except under `metadata`, whose keys are free-form.
fn finish(value: Value, key: &str) -> Value {
    let Value::Object(map) = value else { return value };
    let numeric = !map.is_empty() && key != "metadata" && map.keys().all(|k| k.parse::<usize>().is_ok());
    let mut entries: Vec<(String, Value)> = map.into_iter().map(|(k, v)| (k.clone(), finish(v, &k))).collect();
    if numeric {
        entries.sort_by_key(|(k, _)| k.parse::<usize>().unwrap_or(usize::MAX));
        Value::Array(entries.into_iter().map(|(_, v)| v).collect())
    } else {
        Value::Object(entries.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::json;

    #[test]
    fn flat_and_percent_decoded() {
        let v = parse(b"amount=1500&currency=usd&description=Plan+A%20%26+more");
        assert_eq!(v, json!({"amount": "1500", "currency": "usd", "description": "Plan A & more"}));
    }

    #[test]
    fn nested_objects() {
        let v =
            parse(b"metadata[order]=42&invoice_settings[default_payment_method]=pm_1&setup_intent_data[metadata][k]=v");
        assert_eq!(
            v,
            json!({"metadata": {"order": "42"}, "invoice_settings": {"default_payment_method": "pm_1"},
                   "setup_intent_data": {"metadata": {"k": "v"}}})
        );
    }

    #[test]
    fn both_array_styles() {
        assert_eq!(parse(b"e[]=a&e[]=b"), json!({"e": ["a", "b"]}));
        assert_eq!(parse(b"e[1]=b&e[0]=a"), json!({"e": ["a", "b"]}));
        // serde_qs percent-encodes the brackets.
        assert_eq!(parse(b"types%5B0%5D=x&created%5Bgte%5D=5"), json!({"types": ["x"], "created": {"gte": "5"}}));
    }

    #[test]
    fn numeric_metadata_keys_stay_an_object() {
        assert_eq!(parse(b"metadata[1]=x"), json!({"metadata": {"1": "x"}}));
    }

    #[test]
    fn empty_values_and_odd_keys() {
        assert_eq!(parse(b"description=&metadata=&metadata[a]=b"), json!({"description": "", "metadata": {"a": "b"}}));
        assert_eq!(parse(b"a[b=1&c]=2&d[x]y=3"), json!({"a[b": "1", "c]": "2", "d[x]y": "3"}));
        assert_eq!(parse(b""), json!({}));
        let deep = format!("a{}=1", "[b]".repeat(50_000));
        assert_eq!(parse(deep.as_bytes())[format!("a{}", "[b]".repeat(50_000))], "1");
    }
}
