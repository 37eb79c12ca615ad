//! The help of the tool and of each subcommand, as users see it.

use crate::Env;

#[test]
fn help_of_every_subcommand() {
    let env = Env::new();
    for sub in [
        "",
        "import",
        "letters",
        "show",
        "orgs",
        "signed-by",
        "export",
        "classify",
        "set",
        "why",
        "eval-classify",
        "review",
        "merge",
        "split",
        "undo",
        "dedupe",
        "alias",
        "eval",
        "overlap",
        "overlap letters",
        "overlap orgs",
        "overlap countries",
        "overlap types",
        "diff",
        "network",
        "stats",
        "check",
    ] {
        let mut args: Vec<&str> = sub.split_whitespace().collect();
        args.push("--help");
        let out = env.run(&args);
        assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
        let name = if sub.is_empty() {
            "help_main".to_string()
        } else {
            format!("help_{}", sub.replace(' ', "_"))
        };
        insta::assert_snapshot!(name, out.stdout);
    }
}
