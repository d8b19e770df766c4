//! The desired-state JSON Schema: shipped as the types give it, accepting every desired
//! state the project ships and documents, refusing every shape error `holdfast validate`
//! refuses. Checked with Python's jsonschema, someone else's validator.

mod common;

use std::path::{Path, PathBuf};

use common::{holdfast, repo_root};

const SHIPPED: &str = "docs/desired-state.schema.json";

#[test]
fn the_shipped_schema_is_the_one_the_types_give() {
    let run = holdfast(&["schema"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shipped = std::fs::read_to_string(repo_root().join(SHIPPED)).expect("the shipped schema");
    assert!(shipped == run.stdout, "{SHIPPED} is out of date: regenerate it with `cargo run -p holdfast-cli -- schema > {SHIPPED}`");
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(schema["additionalProperties"], false, "unknown tables are refused");
    assert!(schema["$defs"]["ServiceEntry"]["properties"]["realtime"]["description"].is_string(), "doc comments become descriptions");
}

/// Validates each file (or each top-level ```toml block of a Markdown file) and returns,
/// per document, its errors.
fn validate(paths: &[PathBuf]) -> Vec<(String, Vec<String>)> {
    let python = std::env::var("HOLDFAST_TEST_PYTHON").expect("HOLDFAST_TEST_PYTHON is not set: run the tests with ./scripts/test");
    let check = r#"
import datetime, json, re, sys, tomllib, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
def plain(value):
    # Editors check a TOML date as its text.
    if isinstance(value, dict): return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list): return [plain(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)): return value.isoformat()
    return value
for path in sys.argv[2:]:
    text = open(path).read()
    blocks = re.findall(r"^```toml\n(.*?)^```", text, re.S | re.M) if path.endswith(".md") else [text]
    for index, block in enumerate(blocks):
        errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(plain(tomllib.loads(block)))]
        print(json.dumps({"document": f"{path} #{index}", "errors": errors}))
"#;
    let output = std::process::Command::new(python).args(["-c", check]).arg(repo_root().join(SHIPPED)).args(paths).output().expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let result: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let errors = result["errors"].as_array().expect("errors").iter().map(|error| error.as_str().unwrap_or_default().to_owned()).collect();
            (result["document"].as_str().unwrap_or_default().to_owned(), errors)
        })
        .collect()
}

fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    found.sort();
    found
}

#[test]
fn the_schema_accepts_every_shipped_documented_and_imported_desired_state() {
    let root = repo_root();
    let imported = tempfile::tempdir().expect("a folder");
    let out = imported.path().join("imported");
    let run =
        holdfast(&["import", "--snapshot", &root.join("examples/z360-before-sprint.json").display().to_string(), "--out", &out.display().to_string()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut paths = files(&root.join("desired-state"), "toml");
    paths.extend(files(&root.join("docs"), "md"));
    paths.push(root.join("README.md"));
    paths.extend(files(&out, "toml"));
    let results = validate(&paths);
    let documents: Vec<&String> = results.iter().map(|(document, _)| document).collect();
    // The documents are there to check: the z360 state, the reference's examples, the import.
    assert!(documents.iter().any(|document| document.contains("z360.toml")), "{documents:?}");
    assert!(documents.iter().filter(|document| document.contains("desired-state.md")).count() >= 10, "{documents:?}");
    assert!(documents.iter().filter(|document| document.contains("imported")).count() >= 5, "{documents:?}");
    let refused: Vec<String> = results.iter().filter(|(_, errors)| !errors.is_empty()).map(|(document, errors)| format!("{document}: {errors:?}")).collect();
    assert!(refused.is_empty(), "the schema refuses valid desired states:\n{}", refused.join("\n"));
}

#[test]
fn the_schema_refuses_every_shape_error_holdfast_refuses() {
    let shape_errors = files(&repo_root().join("crates/cli/tests/data/shape-errors"), "toml");
    assert!(shape_errors.len() >= 10, "{shape_errors:?}");
    for path in &shape_errors {
        let dir = tempfile::tempdir().expect("a folder");
        std::fs::copy(path, dir.path().join("main.toml")).expect("copy");
        let run = holdfast(&["validate", "--desired", &dir.path().display().to_string()], &[]);
        assert_eq!(run.code, 1, "holdfast accepts {}:\n{}", path.display(), run.stderr);
    }
    for (document, errors) in validate(&shape_errors) {
        assert!(!errors.is_empty(), "the schema accepts {document}, which holdfast refuses");
    }
}
