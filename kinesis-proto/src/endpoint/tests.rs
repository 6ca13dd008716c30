use super::*;
use crate::config::parse_endpoint_url;

/// One case of `rule-tests.json`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Case {
    name: String,
    region: String,
    #[serde(default)]
    fips: bool,
    #[serde(default)]
    dual_stack: bool,
    endpoint: Option<String>,
    plane: Option<String>,
    family: Option<String>,
    arn: Option<String>,
    url: Option<String>,
    error: Option<ExpectedError>,
    #[serde(default)]
    #[allow(dead_code)]
    sdk: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    deviation: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedError {
    field: Option<String>,
    contains: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleTests {
    #[allow(dead_code)]
    about: Vec<String>,
    cases: Vec<Case>,
}

/// Runs one case; `Err` says how it failed.
fn run(case: &Case) -> Result<(), String> {
    let mut config = Config::new(case.region.clone())
        .with_fips(case.fips)
        .with_dual_stack(case.dual_stack);
    if let Some(url) = &case.endpoint {
        config = config
            .with_endpoint_url(url)
            .map_err(|e| format!("custom endpoint refused: {e}"))?;
    }
    let plane = match case.plane.as_deref() {
        None | Some("control") => Plane::Control,
        Some("data") => Plane::Data,
        Some(other) => return Err(format!("bad plane {other:?} in the data file")),
    };
    let family = match case.family.as_deref() {
        None | Some("kinesis") => Family::Kinesis,
        Some("queues") => Family::Queues,
        Some(other) => return Err(format!("bad family {other:?} in the data file")),
    };
    let got = resolve_family(&config, family, plane, case.arn.as_deref());
    match (&case.url, &case.error, got) {
        (Some(url), None, Ok(endpoint)) => {
            let got = endpoint.uri.to_string();
            if got.trim_end_matches('/') != url.trim_end_matches('/') {
                return Err(format!("expected {url}, got {got}"));
            }
            if endpoint.signing_region != case.region {
                return Err(format!(
                    "signing region {} is not the client's {}",
                    endpoint.signing_region, case.region
                ));
            }
            endpoint
                .host_header()
                .map_err(|e| format!("no Host header: {e}"))?;
            Ok(())
        }
        (None, Some(want), Err(e)) => {
            if let Some(field) = &want.field {
                if e.field != field.as_str() {
                    return Err(format!("expected an error on {field}, got {e}"));
                }
            }
            if !e.problem.contains(&want.contains) {
                return Err(format!(
                    "expected an error containing {:?}, got {e}",
                    want.contains
                ));
            }
            Ok(())
        }
        (Some(url), None, Err(e)) => Err(format!("expected {url}, got error {e}")),
        (None, Some(want), Ok(endpoint)) => Err(format!(
            "expected an error containing {:?}, got {}",
            want.contains, endpoint.uri
        )),
        _ => Err("the case needs exactly one of url and error".to_owned()),
    }
}

#[test]
fn rule_set_cases() {
    let tests: RuleTests =
        serde_json::from_str(include_str!("rule-tests.json")).expect("rule-tests.json is valid");
    assert!(tests.cases.len() > 200, "the case file lost cases");
    let failures: Vec<String> = tests
        .cases
        .iter()
        .filter_map(|case| run(case).err().map(|why| format!("{}: {why}", case.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} endpoint cases failed:\n{}",
        failures.len(),
        tests.cases.len(),
        failures.join("\n")
    );
}

#[test]
fn partitions_by_region() {
    let cases = [
        ("us-east-1", "aws"),
        ("il-central-1", "aws"),
        ("mx-central-1", "aws"),
        ("aws-global", "aws"),
        ("cn-north-1", "aws-cn"),
        ("aws-cn-global", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
        // Not a pattern of any partition: aws.
        ("local", "aws"),
        ("us-gov-west", "aws"),
        ("cn-north-x", "aws"),
    ];
    for (region, partition) in cases {
        assert_eq!(
            Partition::of(region).expect("parses").name,
            partition,
            "{region}"
        );
    }
}

#[test]
fn region_validation() {
    for ok in ["us-east-1", "local", "a", "x1", "1x"] {
        assert!(validate_region(ok).is_ok(), "{ok}");
    }
    let too_long = "a".repeat(64);
    for bad in [
        "",
        " ",
        "us east 1",
        "us_east_1",
        "-x",
        "a.b",
        "é",
        &too_long,
    ] {
        let e = validate_region(bad).expect_err(bad);
        assert_eq!(e.field, "region", "{bad}");
    }
}

#[test]
fn custom_endpoint_urls() {
    let accepted = [
        ("http://localhost:4567", "http://localhost:4567/"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("  http://127.0.0.1:4568  ", "http://127.0.0.1:4568/"),
        ("http://[::1]:4567", "http://[::1]:4567/"),
        ("https://example.com/base", "https://example.com/base/"),
        ("https://example.com/base/", "https://example.com/base/"),
        ("http://localhost:65535", "http://localhost:65535/"),
        ("http://localhost:1", "http://localhost:1/"),
        ("http://[::1]", "http://[::1]/"),
    ];
    for (url, want) in accepted {
        let uri = parse_endpoint_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(uri.to_string(), want, "{url}");
    }
    let refused = [
        ("localhost:4567", "scheme"),
        ("127.0.0.1", "no scheme"),
        ("ftp://example.com", "ftp"),
        ("https://", "not a URL"),
        ("https://user:pw@example.com", "user info"),
        ("https://example.com/?a=b", "query"),
        ("https://example.com/#x", "fragment"),
        ("", "not a URL"),
        ("not a url", "not a URL"),
        // Ports outside 1-65535 would otherwise be sent to the default port.
        ("http://localhost:99999", "port"),
        ("http://localhost:65536", "port"),
        ("http://localhost:0", "port"),
        ("https://example.com:/", "port"),
        ("http://[::1]:70000", "port"),
        ("http://localhost:4567x", "port"),
    ];
    for (url, why) in refused {
        let e = parse_endpoint_url(url).expect_err(url);
        assert_eq!(e.field, "endpoint", "{url}");
        assert!(e.problem.contains(why), "{url}: {e}");
    }
}

#[test]
fn host_headers() {
    let cases = [
        (
            "https://kinesis.us-east-1.amazonaws.com/",
            "kinesis.us-east-1.amazonaws.com",
        ),
        ("https://example.com:443/", "example.com"),
        ("https://example.com:8443/", "example.com:8443"),
        ("http://example.com:80/", "example.com"),
        ("http://127.0.0.1:4567/", "127.0.0.1:4567"),
        ("http://[::1]:4567/", "[::1]:4567"),
    ];
    for (uri, want) in cases {
        let e = Endpoint {
            uri: uri.parse().expect("valid test URI"),
            signing_region: "us-east-1".into(),
        };
        assert_eq!(e.host_header().expect(uri), want, "{uri}");
    }
}

#[test]
fn arn_errors_name_the_likely_field() {
    let cases = [
        ("arn:aws:kinesis:us-east-1:1:stream/s", "StreamARN"),
        (
            "arn:aws:kinesis:us-east-1:1:stream/s/consumer/c:1",
            "ConsumerARN",
        ),
        ("arn:aws:kinesis:us-east-1:1:channel/c", "ChannelARN"),
        ("nonsense", "ResourceARN"),
    ];
    for (arn, field) in cases {
        assert_eq!(arn_field(arn, Family::Kinesis), field, "{arn}");
    }
}

#[test]
fn never_panics_on_odd_arns() {
    let config = Config::new("us-east-1");
    for arn in [
        "",
        ":",
        ":::::",
        "arn:aws:kinesis:us-east-1:1:/",
        "arn:aws:kinesis:us-east-1:1:channel/",
        "arn:a:kinesis:r:1:stream",
    ] {
        for plane in [Plane::Data, Plane::Control] {
            let _ = resolve(&config, plane, Some(arn));
        }
    }
    // `stream` alone names the account's stream endpoint, as the SDK does.
    let e = resolve(
        &config,
        Plane::Data,
        Some("arn:aws:kinesis:us-east-1:1:stream"),
    )
    .expect("resolves");
    assert_eq!(e.uri, "https://1.data-kinesis.us-east-1.amazonaws.com/");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn arn_text() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "arn",
            ":",
            "aws",
            "aws-cn",
            "aws-iso",
            "kinesis",
            "s3",
            "us-east-1",
            "cn-north-1",
            "123",
            "",
            "stream",
            "/",
            "channel",
            "queue",
            "aws-iso-b",
            "us-iso-east-1",
            "consumer",
            "-",
            ".",
            " ",
            "é",
            "a",
        ]);
        prop::collection::vec(piece, 0..14).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn resolving_never_panics(
            region in "[a-zA-Z0-9.-]{0,20}",
            arn in proptest::option::of(arn_text()),
            fips: bool,
            dual_stack: bool,
            data: bool,
            queues: bool,
        ) {
            let config = Config::new(region).with_fips(fips).with_dual_stack(dual_stack);
            let plane = if data { Plane::Data } else { Plane::Control };
            let family = if queues { Family::Queues } else { Family::Kinesis };
            if let Ok(endpoint) = resolve_family(&config, family, plane, arn.as_deref()) {
                prop_assert_eq!(endpoint.uri.scheme_str(), Some("https"));
                prop_assert!(endpoint.host_header().is_ok());
            }
        }

        #[test]
        fn arn_parsing_round_trips(text in arn_text()) {
            if let Ok(arn) = crate::arn::Arn::parse(&text) {
                prop_assert_eq!(arn.to_string(), text);
            }
        }

        #[test]
        fn endpoint_urls_never_panic(url in ".{0,40}") {
            if let Ok(uri) = parse_endpoint_url(&url) {
                let endpoint = Endpoint { uri, signing_region: "us-east-1".into() };
                prop_assert!(endpoint.host_header().is_ok());
            }
        }

        /// An accepted URL's port is the one written, never a default
        /// standing in for one that does not fit.
        #[test]
        fn accepted_ports_are_the_ones_written(port in 0u32..200_000) {
            let url = format!("http://127.0.0.1:{port}");
            match parse_endpoint_url(&url) {
                Ok(uri) => prop_assert_eq!(uri.port_u16().map(u32::from), Some(port)),
                Err(e) => {
                    prop_assert!(port == 0 || port > 65_535, "{url}: {e}");
                    prop_assert_eq!(e.field, "endpoint");
                }
            }
        }
    }
}

/// Every operation's plane and family are what the service model's
/// `staticContextParams` give the endpoint rules (`OperationType`,
/// `ResourceType`), read from the model checked into the tests (botocore
/// 1.44.5).
#[test]
fn planes_and_families_follow_the_model() {
    macro_rules! routes {
        ($([$method:ident, $input:ident, $summary:literal, $example:literal]),* $(,)?) => {
            vec![$((
                <crate::ops::$input as crate::Operation>::NAME,
                <crate::ops::$input as crate::Operation>::PLANE,
                <crate::ops::$input as crate::Operation>::FAMILY,
            )),*]
        };
    }
    let table: Vec<(&str, Plane, Family)> = crate::for_each_operation!(routes);
    let model: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/model/service-2.json")).expect("JSON");
    let mut queues = 0;
    for (name, plane, family) in &table {
        let params = &model["operations"][name]["staticContextParams"];
        let want_plane = match params["OperationType"]["value"].as_str() {
            Some("data") => Plane::Data,
            Some("control") => Plane::Control,
            other => panic!("{name}: OperationType {other:?} in the model"),
        };
        let want_family = match params["ResourceType"]["value"].as_str() {
            None => Family::Kinesis,
            Some("queue") => Family::Queues,
            Some(other) => panic!("{name}: ResourceType {other:?} in the model"),
        };
        assert_eq!(*plane, want_plane, "{name}");
        assert_eq!(*family, want_family, "{name}");
        queues += usize::from(*family == Family::Queues);
    }
    assert!(table.len() >= 50, "{} operations", table.len());
    assert_eq!(queues, 12, "the model's queue operations");
}

/// Prepared queue requests go to the queue hosts, with a matching `Host`
/// header, signed for the client's region and the `kinesis` service.
#[test]
fn prepared_queue_requests_reach_queue_hosts() {
    use crate::ops::{CreateQueue, DescribeQueue, ListQueues, ReceiveQueueRecords};
    use crate::{Client, Credentials, Operation};
    fn check<O: Operation>(client: &Client, op: &O, want: &str) {
        let creds = Credentials::new("AKIDEXAMPLE", "SECRET", None);
        let (request, _expect) = client
            .prepare(op, &creds, time::OffsetDateTime::UNIX_EPOCH)
            .unwrap_or_else(|e| panic!("{}: {e}", O::NAME));
        assert_eq!(
            request.uri(),
            &format!("https://{want}/")[..],
            "{}",
            O::NAME
        );
        assert_eq!(request.headers()["host"], want, "{}", O::NAME);
        let auth = request.headers()["authorization"].to_str().expect("ASCII");
        let scope = format!("/{}/kinesis/aws4_request", client.config().region());
        assert!(auth.contains(&scope), "{auth}");
    }
    let queue = "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c";
    let stream = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
    let client = Client::new(Config::new("us-east-1"));
    let fips = Client::new(Config::new("us-east-1").with_fips(true));
    let regional = "kinesis-queues.us-east-1.amazonaws.com";
    check(&client, &CreateQueue::new("q", stream), regional);
    check(&client, &ListQueues::new(), regional);
    check(
        &fips,
        &ListQueues::new(),
        "kinesis-queues-fips.us-east-1.amazonaws.com",
    );
    check(
        &client,
        &DescribeQueue::new(queue),
        "q-1a2b3c.control-kinesis-queues.us-east-1.amazonaws.com",
    );
    check(
        &client,
        &ReceiveQueueRecords::new(queue),
        "q-1a2b3c.data-kinesis-queues.us-east-1.amazonaws.com",
    );
    check(
        &fips,
        &ReceiveQueueRecords::new(queue),
        "q-1a2b3c.data-kinesis-queues-fips.us-east-1.amazonaws.com",
    );
    // Tag operations with a queue ARN go to the queue's control host.
    check(
        &client,
        &crate::ops::TagResource::new(queue).with_tag("team", "a"),
        "q-1a2b3c.control-kinesis-queues.us-east-1.amazonaws.com",
    );
    check(
        &Client::new(Config::new("us-iso-east-1")),
        &crate::ops::ListTagsForResource::new(
            queue
                .replace(":aws:", ":aws-iso:")
                .replace("us-east-1", "us-iso-east-1"),
        ),
        "kinesis-queues.us-iso-east-1.c2s.ic.gov",
    );
    // Kinesis operations without an ARN keep the regional Kinesis host.
    check(
        &client,
        &crate::ops::ListStreams::new(),
        "kinesis.us-east-1.amazonaws.com",
    );
}
