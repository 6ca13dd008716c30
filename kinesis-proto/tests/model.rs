//! Every operation's types against the service model itself: botocore's
//! Kinesis `service-2.json` (which version: `tests/model/README.md`).
//!
//! For each operation of the table (`for_each_operation!`), answers are
//! generated from the model's output shape and parsed as that operation's
//! answer:
//!
//! - **every member present** (nested structures, lists and maps filled
//!   recursively): parsing must read every key — a key the parser skips is
//!   a member the output type lacks or names differently;
//! - **only the `required` members** (recursively): must parse, so no type
//!   requires what the model leaves optional;
//! - **every optional member `null`**, and every member of the top level
//!   `null`: must parse, `null` reading as absent (as botocore reads it);
//! - **`{}`**: must parse, missing required members filled with their
//!   defaults (smithy's client error correction).
//!
//! Inputs: the request body of each operation, built with every field the
//! type has set, must use only members of the model's input shape, with the
//! model's names and JSON types.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use kinesis_proto::fuzzing::parse_response;
use kinesis_proto::{ops, Error, Operation};
use serde_json::{json, Map, Value};

/// The model's shapes, by name.
struct Model {
    shapes: Map<String, Value>,
    operations: Map<String, Value>,
}

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/model/service-2.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut model: Value = serde_json::from_str(&text).expect("the model is JSON");
    let take = |model: &mut Value, key: &str| match model[key].take() {
        Value::Object(map) => map,
        _ => panic!("the model has no {key}"),
    };
    Model {
        shapes: take(&mut model, "shapes"),
        operations: take(&mut model, "operations"),
    }
});

/// Operations whose answer must carry some member error correction would
/// fill, and why.
const NO_EMPTY_ANSWER: &[(&str, &str)] = &[(
    "PutRecord",
    "without a sequence number the answer does not say the record was written",
)];

/// Which members a generated answer carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fill {
    /// Every member.
    All,
    /// Only the required members.
    Required,
    /// Required members filled, optional ones `null`.
    OptionalNull,
    /// The top level's required members, every structure below it `{}`.
    Hollow,
}

/// Structures whose members the model leaves all optional but of which the
/// crate needs some, with the least it takes and why: (shape, members).
const LEAST: &[(&str, &str, &str)] = &[(
    "PutRecordsResultEntry",
    r#"{"ErrorCode":"InternalFailure"}"#,
    "an entry must say whether its record was written (a sequence number and shard, or an error code); \
     one with neither is a Response error, not a guess",
)];

impl Model {
    fn shape(&self, name: &str) -> &Map<String, Value> {
        self.shapes[name]
            .as_object()
            .unwrap_or_else(|| panic!("no shape {name}"))
    }

    /// The operation's input or output shape (`"input"`/`"output"`).
    fn io_shape(&self, operation: &str, which: &str) -> Option<&str> {
        self.operations
            .get(operation)
            .unwrap_or_else(|| panic!("{operation} is not in the model"))
            .get(which)
            .map(|io| io["shape"].as_str().expect("a shape name"))
    }

    fn required(&self, shape: &Map<String, Value>) -> BTreeSet<String> {
        shape
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .map(|n| n.as_str().expect("a member name").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a structure is (or holds) an event stream: such answers are
    /// not JSON documents.
    fn is_event_stream(&self, name: &str) -> bool {
        let shape = self.shape(name);
        shape.get("eventstream").is_some()
            || shape
                .get("members")
                .and_then(Value::as_object)
                .is_some_and(|members| {
                    members.values().any(|m| {
                        let target = m["shape"].as_str().expect("a shape name");
                        self.shape(target).get("eventstream").is_some()
                    })
                })
    }

    /// A value of shape `name` as `fill` says.
    fn sample(&self, name: &str, fill: Fill, depth: usize) -> Value {
        assert!(depth < 16, "shape {name} nests too deep (recursive?)");
        let shape = self.shape(name);
        let target = |member: &Value| member["shape"].as_str().expect("a shape name").to_owned();
        match shape["type"].as_str().expect("a shape type") {
            "structure" => {
                let least = LEAST.iter().find(|(shape, _, _)| *shape == name);
                let mut out = match least {
                    Some((_, least, _)) if fill != Fill::All => {
                        serde_json::from_str(least).expect("a JSON object")
                    }
                    _ => Map::new(),
                };
                if fill == Fill::Hollow && depth > 0 {
                    return Value::Object(out);
                }
                let required = self.required(shape);
                for (member, spec) in shape["members"].as_object().expect("members") {
                    if out.contains_key(member) {
                        continue;
                    }
                    let value = match (fill, required.contains(member)) {
                        (Fill::Required | Fill::Hollow, false) => continue,
                        (Fill::OptionalNull, false) => Value::Null,
                        _ => self.sample(&target(spec), fill, depth + 1),
                    };
                    out.insert(member.clone(), value);
                }
                Value::Object(out)
            }
            "list" => json!([self.sample(&target(&shape["member"]), fill, depth + 1)]),
            "map" => json!({ "key-1": self.sample(&target(&shape["value"]), fill, depth + 1) }),
            "string" => match shape.get("enum").and_then(Value::as_array) {
                Some(values) => values[0].clone(),
                // Digits are every string the parsers check (hash keys).
                None => json!("1"),
            },
            "integer" | "long" => json!(1),
            "boolean" => json!(true),
            "timestamp" => json!(1_700_000_000),
            "blob" => json!("aGk="),
            other => panic!("shape {name}: type {other} not handled"),
        }
    }

    /// Checks that `body` (a request body) uses only members of shape
    /// `name`, with their JSON types; problems go to `out`, `at` names the
    /// place.
    fn check_input(&self, name: &str, body: &Value, at: &str, out: &mut Vec<String>) {
        let shape = self.shape(name);
        let target = |member: &Value| member["shape"].as_str().expect("a shape name").to_owned();
        let kind = shape["type"].as_str().expect("a shape type");
        match (kind, body) {
            ("structure", Value::Object(members)) => {
                let model = shape["members"].as_object().expect("members");
                for (key, value) in members {
                    match model.get(key) {
                        Some(spec) => {
                            self.check_input(&target(spec), value, &format!("{at}.{key}"), out)
                        }
                        None => out.push(format!(
                            "{at}: sends {key}, which is not a member of {name}"
                        )),
                    }
                }
            }
            ("list", Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_input(&target(&shape["member"]), item, &format!("{at}[{i}]"), out);
                }
            }
            ("map", Value::Object(entries)) => {
                for (key, value) in entries {
                    self.check_input(&target(&shape["value"]), value, &format!("{at}.{key}"), out);
                }
            }
            ("string" | "blob", Value::String(_))
            | ("integer" | "long", Value::Number(_))
            | ("boolean", Value::Bool(_))
            | ("timestamp", Value::Number(_)) => {}
            _ => out.push(format!("{at}: sends {body} for a {kind} ({name})")),
        }
    }
}

fn ok_response(body: impl Into<Vec<u8>>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .body(body.into())
        .expect("a valid response")
}

/// One check, run for every operation of the table.
trait Check {
    fn check<O: Operation>(&mut self);
}

macro_rules! for_each {
    ($( [$method:ident, $ty:ident, $summary:literal, $example:literal] ),* $(,)?) => {
        /// Runs `check` for every operation; returns how many it ran.
        fn for_each_operation(check: &mut impl Check) -> usize {
            let mut n = 0;
            $( check.check::<ops::$ty>(); n += 1; )*
            n
        }
    };
}
kinesis_proto::for_each_operation!(for_each);

/// Runs `check` over every operation and fails with every problem it found.
fn run<C: Check + Problems>(mut check: C) {
    let n = for_each_operation(&mut check);
    assert_eq!(
        n,
        MODEL.operations.len(),
        "operations in the table vs the model"
    );
    let problems = check.problems();
    assert!(
        problems.is_empty(),
        "{} problems:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

trait Problems {
    fn problems(self) -> Vec<String>;
}

/// The output shape of `O`, unless it has none or is an event stream.
fn output_shape<O: Operation>() -> Option<&'static str> {
    let shape = MODEL.io_shape(O::NAME, "output")?;
    (!MODEL.is_event_stream(shape)).then_some(shape)
}

/// Parses `body` as `O`'s answer, as a problem on failure.
fn parses<O: Operation>(body: &Value, what: &str, out: &mut Vec<String>) {
    let text = body.to_string();
    match parse_response::<O, _>(&ok_response(text.clone())) {
        Ok(_) => {}
        Err(Error::Response(e)) => {
            out.push(format!("{}: {what} {text} fails: {}", O::NAME, e.reason))
        }
        Err(e) => out.push(format!("{}: {what}: {e}", O::NAME)),
    }
}

#[derive(Default)]
struct EveryMemberRead(Vec<String>);

impl Check for EveryMemberRead {
    fn check<O: Operation>(&mut self) {
        let Some(shape) = output_shape::<O>() else {
            return;
        };
        let body = MODEL.sample(shape, Fill::All, 0).to_string();
        let mut ignored = Vec::new();
        let mut de = serde_json::Deserializer::from_str(&body);
        let parsed: Result<O::Output, _> =
            serde_ignored::deserialize(&mut de, |path| ignored.push(path.to_string()));
        match parsed {
            Ok(_) => {
                // `?` marks where the parse went through an `Option`.
                for path in ignored.iter().map(|p| p.replace(".?", "")) {
                    self.0.push(format!(
                        "{}: {shape}.{path} is in the model but the output type does not read it",
                        O::NAME
                    ));
                }
            }
            Err(e) => self
                .0
                .push(format!("{}: every member of {shape}: {e}", O::NAME)),
        }
        // And through the operation's own parse (its checks included).
        parses::<O>(
            &MODEL.sample(shape, Fill::All, 0),
            "every member",
            &mut self.0,
        );
    }
}

impl Problems for EveryMemberRead {
    fn problems(self) -> Vec<String> {
        self.0
    }
}

#[test]
fn outputs_read_every_member_of_the_model() {
    run(EveryMemberRead::default());
}

/// Parses answers generated with `fill` (and whatever else `extra` adds).
struct Parses {
    fill: Fill,
    problems: Vec<String>,
}

impl Check for Parses {
    fn check<O: Operation>(&mut self) {
        let Some(shape) = output_shape::<O>() else {
            return;
        };
        let body = MODEL.sample(shape, self.fill, 0);
        parses::<O>(&body, &format!("{:?}", self.fill), &mut self.problems);
    }
}

impl Problems for Parses {
    fn problems(self) -> Vec<String> {
        self.problems
    }
}

#[test]
fn outputs_need_only_the_members_the_model_requires() {
    run(Parses {
        fill: Fill::Required,
        problems: Vec::new(),
    });
}

#[test]
fn outputs_read_null_as_absent() {
    run(Parses {
        fill: Fill::OptionalNull,
        problems: Vec::new(),
    });
}

#[derive(Default)]
struct ErrorCorrection(Vec<String>);

impl Check for ErrorCorrection {
    fn check<O: Operation>(&mut self) {
        let Some(shape) = output_shape::<O>() else {
            return;
        };
        if let Some((_, why)) = NO_EMPTY_ANSWER.iter().find(|(name, _)| *name == O::NAME) {
            // Must fail instead, as a Response error.
            match parse_response::<O, _>(&ok_response("{}")) {
                Err(Error::Response(_)) => {}
                Ok(_) => self.0.push(format!("{}: {{}} must fail ({why})", O::NAME)),
                Err(e) => self.0.push(format!(
                    "{}: {{}} must fail as a Response error: {e}",
                    O::NAME
                )),
            }
            return;
        }
        parses::<O>(&json!({}), "an empty object", &mut self.0);
        // Every member of the top level `null`, required ones too.
        let members = MODEL.shape(shape)["members"].as_object().expect("members");
        let nulls: Map<String, Value> = members.keys().map(|k| (k.clone(), Value::Null)).collect();
        parses::<O>(&Value::Object(nulls), "every member null", &mut self.0);
        // Required members present, each holding structures whose own
        // members are all missing.
        let hollow = MODEL.sample(shape, Fill::Hollow, 0);
        parses::<O>(&hollow, "nested structures empty", &mut self.0);
    }
}

impl Problems for ErrorCorrection {
    fn problems(self) -> Vec<String> {
        self.0
    }
}

#[test]
fn outputs_fill_missing_required_members_with_defaults() {
    run(ErrorCorrection::default());
}

#[test]
fn answers_that_are_not_the_shape_still_fail() {
    // Error correction fills what is missing; it never turns another
    // shape into an answer.
    for body in [
        "[]",
        "\"x\"",
        "5",
        "null",
        r#"{"StreamDescription":5}"#,
        r#"{"StreamDescription":{"Shards":{}}}"#,
    ] {
        let parsed = parse_response::<ops::DescribeStream, _>(&ok_response(body));
        assert!(
            matches!(parsed, Err(Error::Response(_))),
            "{body}: {parsed:?}"
        );
    }
    for body in [
        r#"{"Records":{}}"#,
        r#"{"Records":[{"SequenceNumber":5}]}"#,
        r#"{"Records":[{"Data":true}]}"#,
    ] {
        let parsed = parse_response::<ops::GetRecords, _>(&ok_response(body));
        assert!(
            matches!(parsed, Err(Error::Response(_))),
            "{body}: {parsed:?}"
        );
    }
}

#[test]
fn the_model_file_is_the_one_the_readme_names() {
    use sha2::Digest as _;
    let readme = include_str!("model/README.md");
    let file = include_bytes!("model/service-2.json");
    let hash: String = sha2::Sha256::digest(file)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        readme.contains(&hash),
        "README does not name the hash {hash}"
    );
    assert!(
        readme.contains("botocore **1.44.5**"),
        "README names no version"
    );
}
