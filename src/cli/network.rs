//! `undersigned network`: the co-signature network as Gephi tables, GEXF,
//! GraphML or an incidence matrix.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::overlap::{filter, load, LetterFilterArgs, SignerFilterArgs};
use super::{open_existing, with_output};
use crate::export::network::{write_gephi, write_gexf, write_graphml, write_incidence, Weight};

/// Export the co-signature network for Gephi and other network tools.
///
/// Nodes are the organizations (and people) with a signature the filters keep, with their
/// country, type and number of letters; an edge joins two that signed at least --min-shared
/// letters together, weighted by --weight, with every overlap measure as an attribute (see
/// `undersigned overlap orgs`). Withdrawn signatures are left out unless --include-withdrawn is
/// given; a letter with one signer makes no edge.
///
/// Formats:
///   gephi      Gephi's spreadsheet tables, two CSV files: nodes (Id, Label, country, org_type,
///              letters) and edges (Source, Target, Type, Weight, shared, jaccard, overlap_coef,
///              newman_weight, first_shared, last_shared; Type is always Undirected). Needs -o:
///              "-o net" writes net-nodes.csv and net-edges.csv ("-o net.csv" too); "-o DIR/"
///              or an existing folder gets DIR/nodes.csv and DIR/edges.csv. In Gephi, import
///              the nodes first, then the edges into the same workspace.
///   gexf       GEXF 1.3, Gephi's own format (one file).
///   graphml    GraphML (one file), for Cytoscape, yEd, igraph, NetworkX.
///   incidence  The organization-by-letter matrix as CSV: org_id, name, then one column per
///              letter (letter_ID), 1 where the organization signed (--weight and --min-shared
///              do not apply).
///
/// Example: undersigned network --format gephi -o coalition --weight newman --since 2023
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    about = "Export the co-signature network for Gephi and other network tools"
)]
pub struct Args {
    /// What to write
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: NetFormat,

    /// Write to this file (for gephi: this prefix or folder) instead of stdout
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,

    /// What an edge's Weight is
    #[arg(long, value_enum, default_value = "shared", value_name = "WEIGHT")]
    weight: WeightArg,

    /// Leave out edges between organizations that signed fewer than N letters together
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    min_shared: u32,

    #[command(flatten)]
    letters: LetterFilterArgs,

    #[command(flatten)]
    signers: SignerFilterArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum NetFormat {
    /// Gephi node and edge tables (two CSV files; needs -o)
    Gephi,
    /// GEXF 1.3
    Gexf,
    /// GraphML
    Graphml,
    /// Organization-by-letter incidence matrix (CSV)
    Incidence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum WeightArg {
    /// Letters signed together
    Shared,
    /// Letters signed together over letters either signed
    Jaccard,
    /// Sum over letters signed together of 1/(n-1), n the letter's signers
    Newman,
}

/// Where the two Gephi tables go: `prefix-nodes.csv` and
/// `prefix-edges.csv`, or `nodes.csv` and `edges.csv` in a folder (one
/// that exists, or a path ending with a slash, created if needed).
fn gephi_paths(path: &Path) -> Result<(PathBuf, PathBuf)> {
    let text = path.to_string_lossy();
    if path.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create the folder {}", path.display()))?;
        return Ok((path.join("nodes.csv"), path.join("edges.csv")));
    }
    let prefix = text.strip_suffix(".csv").unwrap_or(&text);
    Ok((
        PathBuf::from(format!("{prefix}-nodes.csv")),
        PathBuf::from(format!("{prefix}-edges.csv")),
    ))
}

pub fn run(args: &Args, db: &Path) -> Result<ExitCode> {
    let weight = match args.weight {
        WeightArg::Shared => Weight::Shared,
        WeightArg::Jaccard => Weight::Jaccard,
        WeightArg::Newman => Weight::Newman,
    };
    if args.format == NetFormat::Gephi && args.output.is_none() {
        bail!("--format gephi writes two files (nodes and edges): name them with -o PREFIX or -o FOLDER/");
    }
    let store = open_existing(db)?;
    let inc = load(&store, &filter(Some(&args.letters), &args.signers))?;
    let output = args.output.as_deref();
    let min = args.min_shared;
    let written = match args.format {
        NetFormat::Gephi => {
            let Some(path) = output else {
                unreachable!("checked above")
            };
            let (nodes_path, edges_path) = gephi_paths(path)?;
            // Each table is written beside its name and renamed into place
            // once complete: the edges first, then the nodes.
            let w = with_output(Some(&nodes_path), |nodes| {
                with_output(Some(&edges_path), |edges| {
                    Ok(write_gephi(&inc, min, weight, nodes, edges)?)
                })
            })?;
            eprintln!(
                "wrote {} nodes to {} and {} edges to {} (weight: {})",
                w.nodes,
                nodes_path.display(),
                w.edges,
                edges_path.display(),
                weight.as_str()
            );
            return Ok(ExitCode::SUCCESS);
        }
        NetFormat::Gexf => Some(with_output(output, |out| {
            Ok(write_gexf(&inc, min, weight, out)?)
        })?),
        NetFormat::Graphml => Some(with_output(output, |out| {
            Ok(write_graphml(&inc, min, weight, out)?)
        })?),
        NetFormat::Incidence => {
            let rows = with_output(output, |out| Ok(write_incidence(&inc, out)?))?;
            if let Some(path) = output {
                eprintln!(
                    "wrote {rows} organizations by {} letters to {}",
                    inc.letters.len(),
                    path.display()
                );
            }
            None
        }
    };
    if let (Some(w), Some(path)) = (written, output) {
        eprintln!(
            "wrote {} nodes and {} edges to {} (weight: {})",
            w.nodes,
            w.edges,
            path.display(),
            weight.as_str()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gephi_prefix_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("net");
        assert_eq!(
            gephi_paths(&p).unwrap(),
            (
                dir.path().join("net-nodes.csv"),
                dir.path().join("net-edges.csv")
            )
        );
        assert_eq!(
            gephi_paths(&dir.path().join("net.csv")).unwrap(),
            (
                dir.path().join("net-nodes.csv"),
                dir.path().join("net-edges.csv")
            )
        );
        assert_eq!(
            gephi_paths(dir.path()).unwrap(),
            (dir.path().join("nodes.csv"), dir.path().join("edges.csv"))
        );
        let sub = format!("{}/out/", dir.path().display());
        let (n, _) = gephi_paths(Path::new(&sub)).unwrap();
        assert!(dir.path().join("out").is_dir());
        assert_eq!(n, dir.path().join("out").join("nodes.csv"));
    }
}
