//! The co-signature network in the formats analysts load: Gephi's node and
//! edge tables (CSV), GEXF 1.3, GraphML, and the organization-by-letter
//! incidence matrix (CSV). Nodes are the organizations with a kept
//! signature; an edge joins two that signed at least `min_shared` letters
//! together. Everything is written as it is computed (see
//! [`super::overlap`]).

use std::io::{self, Write};

use super::overlap::{jaccard, org_pairs, overlap_coef, Pair};
use super::stream::RowSink;
use super::{csv_io, csv_safe, measure, Format};
use crate::store::overlap::Incidence;

/// What an edge's weight is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Letters signed together.
    Shared,
    /// Shared letters over the letters either signed.
    Jaccard,
    /// Sum over shared letters of 1/(n-1), n the letter's signers.
    Newman,
}

impl Weight {
    pub fn as_str(self) -> &'static str {
        match self {
            Weight::Shared => "shared",
            Weight::Jaccard => "jaccard",
            Weight::Newman => "newman",
        }
    }
}

/// Counts of what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub nodes: usize,
    pub edges: usize,
}

/// An edge's measures.
struct Edge {
    source: i64,
    target: i64,
    shared: u32,
    jaccard: f64,
    overlap: f64,
    newman: f64,
    first: Option<String>,
    last: Option<String>,
}

impl Edge {
    fn new(inc: &Incidence, p: &Pair) -> Edge {
        let (na, nb) = (
            inc.org_letters[p.a as usize].len(),
            inc.org_letters[p.b as usize].len(),
        );
        let date = |l: Option<u32>| l.and_then(|l| inc.letters[l as usize].date.clone());
        Edge {
            source: inc.orgs[p.a as usize].org_id,
            target: inc.orgs[p.b as usize].org_id,
            shared: p.shared,
            jaccard: jaccard(p.shared, na, nb),
            overlap: overlap_coef(p.shared, na, nb),
            newman: p.newman,
            first: date(p.first),
            last: date(p.last),
        }
    }

    fn weight(&self, w: Weight) -> f64 {
        match w {
            Weight::Shared => f64::from(self.shared),
            Weight::Jaccard => self.jaccard,
            Weight::Newman => self.newman,
        }
    }
}

/// Gephi's node table columns: `Id` and `Label` are Gephi's own; the rest
/// become node attributes.
pub const GEPHI_NODE_COLUMNS: [&str; 5] = ["Id", "Label", "country", "org_type", "letters"];

/// Gephi's edge table columns: `Source`, `Target`, `Type` and `Weight` are
/// Gephi's own (Gephi reads a missing `Type` as directed, so every row says
/// `Undirected`); the rest become edge attributes.
pub const GEPHI_EDGE_COLUMNS: [&str; 10] = [
    "Source",
    "Target",
    "Type",
    "Weight",
    "shared",
    "jaccard",
    "overlap_coef",
    "newman_weight",
    "first_shared",
    "last_shared",
];

/// Gephi's two tables, for its spreadsheet import (nodes first, then edges
/// "append to existing workspace").
pub fn write_gephi(
    inc: &Incidence,
    min_shared: u32,
    weight: Weight,
    nodes: &mut dyn Write,
    edges: &mut dyn Write,
) -> io::Result<Written> {
    let mut sink = RowSink::new(Format::Csv, GEPHI_NODE_COLUMNS.to_vec(), nodes)?;
    for (i, o) in inc.orgs.iter().enumerate() {
        sink.row(vec![
            o.org_id.into(),
            o.name.as_str().into(),
            o.country.clone().into(),
            o.org_type.clone().into(),
            (inc.org_letters[i].len() as i64).into(),
        ])?;
    }
    let nodes = sink.finish()?;
    let mut sink = RowSink::new(Format::Csv, GEPHI_EDGE_COLUMNS.to_vec(), edges)?;
    org_pairs(inc, min_shared, |p| {
        let e = Edge::new(inc, &p);
        sink.row(vec![
            e.source.into(),
            e.target.into(),
            "Undirected".into(),
            e.weight(weight).into(),
            i64::from(e.shared).into(),
            e.jaccard.into(),
            e.overlap.into(),
            e.newman.into(),
            e.first.into(),
            e.last.into(),
        ])
    })?;
    let edges = sink.finish()?;
    Ok(Written { nodes, edges })
}

/// Text for XML content or an attribute value: markup characters escaped,
/// tab and line breaks as character references (so attribute values keep
/// them), and characters XML 1.0 forbids replaced by U+FFFD.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Node and edge attributes shared by GEXF and GraphML: (id, type), where
/// type is one of "string", "integer", "double".
const NODE_ATTRS: [(&str, &str); 3] = [
    ("country", "string"),
    ("org_type", "string"),
    ("letters", "integer"),
];
const EDGE_ATTRS: [(&str, &str); 6] = [
    ("shared", "integer"),
    ("jaccard", "double"),
    ("overlap_coef", "double"),
    ("newman_weight", "double"),
    ("first_shared", "string"),
    ("last_shared", "string"),
];

/// The attribute values of a node, in [`NODE_ATTRS`] order (`None`: not known).
fn node_values(inc: &Incidence, i: usize) -> [Option<String>; 3] {
    let o = &inc.orgs[i];
    [
        o.country.clone(),
        o.org_type.clone(),
        Some(inc.org_letters[i].len().to_string()),
    ]
}

/// The attribute values of an edge, in [`EDGE_ATTRS`] order.
fn edge_values(e: &Edge) -> [Option<String>; 6] {
    [
        Some(e.shared.to_string()),
        Some(measure(e.jaccard)),
        Some(measure(e.overlap)),
        Some(measure(e.newman)),
        e.first.clone(),
        e.last.clone(),
    ]
}

fn description(weight: Weight, min_shared: u32) -> String {
    format!(
        "Co-signature network: organizations joined by the letters they signed together \
         (at least {min_shared}); edge weight: {}",
        weight.as_str()
    )
}

/// GEXF 1.3 (Gephi's own format): an undirected static graph with typed
/// node and edge attributes.
pub fn write_gexf(
    inc: &Incidence,
    min_shared: u32,
    weight: Weight,
    out: &mut dyn Write,
) -> io::Result<Written> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(out, "  <meta>")?;
    writeln!(
        out,
        "    <creator>undersigned {}</creator>",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        out,
        "    <description>{}</description>",
        xml_escape(&description(weight, min_shared))
    )?;
    writeln!(out, "  </meta>")?;
    writeln!(
        out,
        r#"  <graph defaultedgetype="undirected" mode="static" idtype="string">"#
    )?;
    for (class, attrs) in [("node", &NODE_ATTRS[..]), ("edge", &EDGE_ATTRS[..])] {
        writeln!(out, r#"    <attributes class="{class}">"#)?;
        for (id, ty) in attrs {
            writeln!(
                out,
                r#"      <attribute id="{id}" title="{id}" type="{ty}"/>"#
            )?;
        }
        writeln!(out, "    </attributes>")?;
    }
    let attvalues = |out: &mut dyn Write,
                     attrs: &[(&str, &str)],
                     values: &[Option<String>]|
     -> io::Result<()> {
        writeln!(out, "        <attvalues>")?;
        for ((id, _), v) in attrs.iter().zip(values) {
            if let Some(v) = v {
                writeln!(
                    out,
                    r#"          <attvalue for="{id}" value="{}"/>"#,
                    xml_escape(v)
                )?;
            }
        }
        writeln!(out, "        </attvalues>")
    };
    writeln!(out, "    <nodes>")?;
    for (i, o) in inc.orgs.iter().enumerate() {
        writeln!(
            out,
            r#"      <node id="{}" label="{}">"#,
            o.org_id,
            xml_escape(&o.name)
        )?;
        attvalues(out, &NODE_ATTRS, &node_values(inc, i))?;
        writeln!(out, "      </node>")?;
    }
    writeln!(out, "    </nodes>")?;
    writeln!(out, "    <edges>")?;
    let mut edges = 0usize;
    org_pairs(inc, min_shared, |p| -> io::Result<()> {
        let e = Edge::new(inc, &p);
        writeln!(
            out,
            r#"      <edge id="{edges}" source="{}" target="{}" weight="{}">"#,
            e.source,
            e.target,
            measure(e.weight(weight))
        )?;
        attvalues(out, &EDGE_ATTRS, &edge_values(&e))?;
        writeln!(out, "      </edge>")?;
        edges += 1;
        Ok(())
    })?;
    writeln!(out, "    </edges>")?;
    writeln!(out, "  </graph>")?;
    writeln!(out, "</gexf>")?;
    out.flush()?;
    Ok(Written {
        nodes: inc.orgs.len(),
        edges,
    })
}

/// GraphML's name for an attribute type.
fn graphml_type(ty: &str) -> &str {
    match ty {
        "integer" => "int",
        other => other,
    }
}

/// GraphML: an undirected graph; the node label, attributes and the edge
/// weight are `data` under declared keys.
pub fn write_graphml(
    inc: &Incidence,
    min_shared: u32,
    weight: Weight,
    out: &mut dyn Write,
) -> io::Result<Written> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    writeln!(
        out,
        "  <desc>{}</desc>",
        xml_escape(&description(weight, min_shared))
    )?;
    let key = |out: &mut dyn Write, id: &str, target: &str, ty: &str| {
        writeln!(
            out,
            r#"  <key id="{id}" for="{target}" attr.name="{id}" attr.type="{}"/>"#,
            graphml_type(ty)
        )
    };
    key(out, "label", "node", "string")?;
    for (id, ty) in NODE_ATTRS {
        key(out, id, "node", ty)?;
    }
    key(out, "weight", "edge", "double")?;
    for (id, ty) in EDGE_ATTRS {
        key(out, id, "edge", ty)?;
    }
    writeln!(
        out,
        r#"  <graph id="cosignatures" edgedefault="undirected">"#
    )?;
    let data = |out: &mut dyn Write, id: &str, v: &str| {
        writeln!(out, r#"      <data key="{id}">{}</data>"#, xml_escape(v))
    };
    for (i, o) in inc.orgs.iter().enumerate() {
        writeln!(out, r#"    <node id="{}">"#, o.org_id)?;
        data(out, "label", &o.name)?;
        for ((id, _), v) in NODE_ATTRS.iter().zip(node_values(inc, i)) {
            if let Some(v) = v {
                data(out, id, &v)?;
            }
        }
        writeln!(out, "    </node>")?;
    }
    let mut edges = 0usize;
    org_pairs(inc, min_shared, |p| -> io::Result<()> {
        let e = Edge::new(inc, &p);
        writeln!(
            out,
            r#"    <edge id="e{edges}" source="{}" target="{}">"#,
            e.source, e.target
        )?;
        data(out, "weight", &measure(e.weight(weight)))?;
        for ((id, _), v) in EDGE_ATTRS.iter().zip(edge_values(&e)) {
            if let Some(v) = v {
                data(out, id, &v)?;
            }
        }
        writeln!(out, "    </edge>")?;
        edges += 1;
        Ok(())
    })?;
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")?;
    out.flush()?;
    Ok(Written {
        nodes: inc.orgs.len(),
        edges,
    })
}

/// The organization-by-letter incidence matrix: one row per organization
/// (`org_id`, `name`), one column per letter (`letter_ID`), 1 where it
/// signed. Returns the number of rows.
pub fn write_incidence(inc: &Incidence, out: &mut dyn Write) -> io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["org_id".to_string(), "name".to_string()];
    header.extend(
        inc.letters
            .iter()
            .map(|l| format!("letter_{}", l.letter_id)),
    );
    w.write_record(&header).map_err(csv_io)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for (i, o) in inc.orgs.iter().enumerate() {
        row.clear();
        row.push(o.org_id.to_string());
        row.push(csv_safe(&o.name).into_owned());
        let mut signed = inc.org_letters[i].iter().peekable();
        for l in 0..inc.letters.len() as u32 {
            let here = signed.next_if_eq(&&l).is_some();
            row.push(if here { "1" } else { "0" }.to_string());
        }
        w.write_record(&row).map_err(csv_io)?;
    }
    w.flush()?;
    Ok(inc.orgs.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::overlap::tests::incidence;

    /// The overlap module's sample with hostile names: org 1 starts with
    /// "=", org 2 holds every XML markup character and a control character.
    fn sample() -> Incidence {
        let mut inc = incidence(
            &[
                (Some("MM"), Some("ngo")),
                (Some("MM"), None),
                (Some("TH"), None),
            ],
            &[(Some("2020-01"), &[0, 1, 2]), (None, &[0, 1])],
        );
        inc.orgs[0].name = "=HYPERLINK(\"http://x\",\"click\")".into();
        inc.orgs[1].name = "Friends & \"Neighbours\" <Upstream> 'quoted'\u{1}".into();
        inc
    }

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut buf = Vec::new();
        f(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn gephi_tables_follow_gephi_conventions() {
        let inc = sample();
        let (mut nodes, mut edges) = (Vec::new(), Vec::new());
        let n = write_gephi(&inc, 1, Weight::Newman, &mut nodes, &mut edges).unwrap();
        assert_eq!(n, Written { nodes: 3, edges: 3 });
        let nodes = String::from_utf8(nodes).unwrap();
        let edges = String::from_utf8(edges).unwrap();
        let mut lines = nodes.lines();
        assert_eq!(lines.next(), Some("Id,Label,country,org_type,letters"));
        // The formula-looking name is neutralized.
        assert_eq!(
            lines.next(),
            Some("1,\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",MM,ngo,2")
        );
        let mut lines = edges.lines();
        assert_eq!(
            lines.next(),
            Some("Source,Target,Type,Weight,shared,jaccard,overlap_coef,newman_weight,first_shared,last_shared")
        );
        // 1-2: L1 (n=3, 1/2) + L2 (n=2, 1) = 1.5.
        assert_eq!(
            lines.next(),
            Some("1,2,Undirected,1.5,2,1,1,1.5,2020-01,2020-01")
        );
        assert_eq!(
            lines.next(),
            Some("1,3,Undirected,0.5,1,0.5,1,0.5,2020-01,2020-01")
        );
        assert!(edges
            .lines()
            .skip(1)
            .all(|l| l.split(',').nth(2) == Some("Undirected")));
    }

    #[test]
    fn weight_choice_sets_the_weight_column() {
        let inc = sample();
        for (w, expected) in [
            (Weight::Shared, "2"),
            (Weight::Jaccard, "1"),
            (Weight::Newman, "1.5"),
        ] {
            let (mut nodes, mut edges) = (Vec::new(), Vec::new());
            write_gephi(&inc, 2, w, &mut nodes, &mut edges).unwrap();
            let edges = String::from_utf8(edges).unwrap();
            assert_eq!(edges.lines().count(), 2, "min_shared 2 keeps one edge");
            assert_eq!(
                edges.lines().nth(1).unwrap().split(',').nth(3),
                Some(expected)
            );
        }
    }

    #[test]
    fn xml_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            xml_escape("a & b <c> \"d\" 'e'\u{1}\tf"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;\u{FFFD}&#9;f"
        );
        let inc = sample();
        let gexf = text(|b| {
            write_gexf(&inc, 1, Weight::Shared, b).unwrap();
        });
        assert!(gexf.contains(
            r#"label="Friends &amp; &quot;Neighbours&quot; &lt;Upstream&gt; &apos;quoted&apos;�""#
        ));
        assert!(gexf.contains(
            r#"<node id="1" label="=HYPERLINK(&quot;http://x&quot;,&quot;click&quot;)">"#
        ));
        assert!(gexf.contains(r#"<edge id="0" source="1" target="2" weight="2">"#));
        assert!(gexf.contains(r#"<attvalue for="newman_weight" value="1.5"/>"#));
        // Org 2 has no type: no attvalue for it.
        let node2 = gexf.split("<node id=\"2\"").nth(1).unwrap();
        let node2 = node2.split("</node>").next().unwrap();
        assert!(!node2.contains("org_type"));
        let graphml = text(|b| {
            write_graphml(&inc, 1, Weight::Jaccard, b).unwrap();
        });
        assert!(graphml.contains(
            r#"<data key="label">Friends &amp; &quot;Neighbours&quot; &lt;Upstream&gt; &apos;quoted&apos;�</data>"#
        ));
        assert!(graphml
            .contains(r#"<key id="letters" for="node" attr.name="letters" attr.type="int"/>"#));
        assert!(graphml.contains(r#"<data key="weight">0.5</data>"#));
    }

    #[test]
    fn incidence_matrix_by_hand() {
        let inc = sample();
        let csv = text(|b| {
            assert_eq!(write_incidence(&inc, b).unwrap(), 3);
        });
        assert_eq!(
            csv,
            "org_id,name,letter_1,letter_2\n\
             1,\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",1,1\n\
             2,\"Friends & \"\"Neighbours\"\" <Upstream> 'quoted'\u{1}\",1,1\n\
             3,Org 3,1,0\n"
        );
    }
}
