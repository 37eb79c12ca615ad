#!/usr/bin/env python3
"""Side by side on the same synthetic names: undersigned's matcher, a
RapidFuzz pipeline under exactly our blocking, and Splink (DuckDB) where it
runs. Prints one table (seconds, pairwise precision/recall/F1, B-cubed F1,
and each method's time and F1 as a ratio of ours) and writes it to --out.

    python bench/compare.py --bin target/release/undersigned --out compare.csv

See bench/README.md for what each pipeline does and the caveats.
"""

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

# Printed forms per organization that `bench gen` writes at ten signatures
# per organization (measured: 1.97 at 10k organizations, 1.88 at 50k). The
# first guess of the organization count; one rescaled run corrects it.
FORMS_PER_ORG = 1.9
SIGNATURES_PER_ORG = 10
SIGNATURES_PER_LETTER = 1000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


def generate(binary, names, seed, out_dir):
    """Runs `bench gen` so that gold.csv has about `names` rows; returns
    (gold path, organizations, letters, signatures, rows)."""

    def run(orgs):
        sigs = orgs * SIGNATURES_PER_ORG
        letters = max(1, sigs // SIGNATURES_PER_LETTER)
        gold_dir = os.path.join(out_dir, f"gen-{orgs}")
        gold = os.path.join(gold_dir, "gold.csv")
        if not os.path.exists(gold):
            subprocess.run(
                [binary, "bench", "gen", "--dir", gold_dir, "--orgs", str(orgs),
                 "--letters", str(letters), "--signatures", str(sigs),
                 "--seed", str(seed)],
                check=True, stderr=subprocess.DEVNULL,
            )
        with open(gold, newline="", encoding="utf-8") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1
        return gold, orgs, letters, sigs, rows

    orgs = max(1, round(names / FORMS_PER_ORG))
    got = run(orgs)
    if abs(got[4] - names) > 0.01 * names:
        got = run(max(1, round(orgs * names / got[4])))
    return got


def read_gold(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        rows = [(row["name"], row["cluster"]) for row in r]
    labels = {}
    gold = [labels.setdefault(c, len(labels)) for _, c in rows]
    return [n for n, _ in rows], gold


def read_pairs(path):
    a, b = [], []
    with open(path, newline="") as f:
        r = csv.reader(f)
        if next(r) != ["a", "b"]:
            raise SystemExit(f"{path}: expected the header a,b")
        for x, y in r:
            a.append(int(x))
            b.append(int(y))
    return a, b


# ------------------------------------------------------------- scoring


def _pairs(n):
    return n * (n - 1) // 2


def score(pred, gold):
    """Pairwise and B-cubed (precision, recall, F1) of cluster labels."""
    both, psize, gsize = {}, {}, {}
    for p, g in zip(pred, gold):
        both[(p, g)] = both.get((p, g), 0) + 1
        psize[p] = psize.get(p, 0) + 1
        gsize[g] = gsize.get(g, 0) + 1
    tp = sum(_pairs(n) for n in both.values())
    pp = sum(_pairs(n) for n in psize.values())
    gp = sum(_pairs(n) for n in gsize.values())

    def prf(p, r):
        return (p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0)

    pairwise = prf(tp / pp if pp else 1.0, tp / gp if gp else 1.0)
    bp = br = 0.0
    for p, g in zip(pred, gold):
        inter = both[(p, g)]
        bp += inter / psize[p]
        br += inter / gsize[g]
    n = max(1, len(pred))
    return pairwise, prf(bp / n, br / n)


def components(n, edges_a, edges_b):
    """Union-find over edges; each name's label is its cluster's root."""
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(edges_a, edges_b):
        ra, rb = find(a), find(b)
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    return [find(i) for i in range(n)]


# ----------------------------------------------------------- pipelines


def run_ours(binary, gold_path, pairs_path):
    t = time.perf_counter()
    p = subprocess.run(
        [binary, "eval", gold_path, "--candidates", pairs_path, "--format", "csv"],
        check=True, capture_output=True, text=True,
    )
    wall = time.perf_counter() - t
    rows = list(csv.DictReader(p.stdout.splitlines()))
    log(p.stderr.strip())
    return rows, wall


def run_rapidfuzz(names, pa, pb, workers):
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    t = time.perf_counter()
    folded = [utils.default_process(n) for n in names]
    scores = process.cpdist(
        [folded[i] for i in pa], [folded[j] for j in pb],
        scorer=fuzz.token_set_ratio, score_cutoff=90, workers=workers,
    )
    keep = np.flatnonzero(scores >= 90)
    ea = [pa[k] for k in keep]
    eb = [pb[k] for k in keep]
    pred = components(len(names), ea, eb)
    return pred, time.perf_counter() - t, len(keep)


# Splink's input: columns derived from the printed name. What a
# parenthesis holds is taken off the name (an acronym or a note); a
# one-word all-capital parenthesis, or a one-word name, is an explicit
# acronym.
STOP = {"the", "of", "for", "and", "in", "on", "de", "la", "du", "des",
        "el", "a", "an", "at", "to"}
PAREN = re.compile(r"\(([^)]*)\)")
NON_ALNUM = re.compile(r"[^0-9a-z]+")


def splink_features(i, name):
    inner = [p.strip() for p in PAREN.findall(name)]
    flat = NON_ALNUM.sub(" ", PAREN.sub(" ", name).replace("&", " and ").lower())
    toks = flat.split()
    if toks and toks[0] == "the":
        toks = toks[1:]
    words = [w for w in toks if w not in STOP] or toks
    explicit = None
    for p in inner:
        if p and " " not in p and p.upper() == p:
            explicit = NON_ALNUM.sub("", p.lower()) or None
    if explicit is None and len(words) == 1:
        explicit = words[0]
    initials = "".join(w[0] for w in words) if len(words) > 1 else None
    return {
        "unique_id": i,
        "base": " ".join(toks) or None,
        "tokens": words,
        "sorted_tokens": " ".join(sorted(set(words))) or None,
        "first_token": words[0] if words else None,
        "last_token": words[-1] if words else None,
        "head": " ".join(words[:-1]) if len(words) > 1 else None,
        "tail": " ".join(words[1:]) if len(words) > 2 else None,
        "explicit_acronym": explicit,
        "initials": initials,
        # For blocking: a bare acronym meets the names it may abbreviate.
        "acronym": explicit or initials,
    }


def splink_model():
    """The comparisons: the whole name (exact, within two edits, Jaro-Winkler
    >= 0.92), how many words the two share, and whether an explicit
    acronym fits the other's initials or acronym."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    shared = "len(list_intersect(tokens_l, tokens_r))"
    most = "greatest(len(tokens_l), len(tokens_r))"
    name = cl.CustomComparison(
        output_column_name="base",
        comparison_levels=[
            cll.NullLevel("base"),
            cll.ExactMatchLevel("base"),
            cll.LevenshteinLevel("base", 2),
            cll.JaroWinklerLevel("base", 0.92),
            cll.ElseLevel(),
        ],
    )
    words = cl.CustomComparison(
        output_column_name="words",
        comparison_levels=[
            cll.CustomLevel("len(tokens_l) = 0 or len(tokens_r) = 0").configure(
                is_null_level=True
            ),
            cll.CustomLevel(f"{shared} = {most}", "the same words"),
            cll.CustomLevel(f"{most} > 1 and {shared} = {most} - 1", "all words but one"),
            cll.CustomLevel(f"{shared} >= 1", "a word in common"),
            cll.ElseLevel(),
        ],
    )
    acronym = cl.CustomComparison(
        output_column_name="acronym",
        comparison_levels=[
            cll.CustomLevel(
                "explicit_acronym_l is null and explicit_acronym_r is null"
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "explicit_acronym_l = explicit_acronym_r"
                " or explicit_acronym_l = initials_r or explicit_acronym_r = initials_l",
                "an acronym fits",
            ),
            cll.ElseLevel(),
        ],
    )
    return [name, words, acronym]


def run_splink(names, threshold, seed):
    import pandas as pd
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t = time.perf_counter()
    df = pd.DataFrame([splink_features(i, n) for i, n in enumerate(names)])
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=splink_model(),
        blocking_rules_to_generate_predictions=[
            block_on("sorted_tokens"),
            block_on("first_token", "last_token"),
            block_on("head"),
            block_on("tail"),
            block_on("acronym"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(df, settings, db_api=DuckDBAPI(), set_up_basic_logging=False)
    # Prior: names with the same set of words are taken to be one
    # organization, and such pairs to be 70% of all matches.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("sorted_tokens")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_token", "last_token")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("acronym")
    )
    preds = linker.inference.predict(threshold_match_probability=min(0.5, threshold))
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        preds, threshold_match_probability=threshold
    )
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - t
    ids = {}
    pred = list(range(len(names)))  # a name missing from the output is alone
    for uid, cid in zip(out["unique_id"], out["cluster_id"]):
        pred[int(uid)] = len(names) + ids.setdefault(cid, len(ids))
    return pred, seconds


# --------------------------------------------------------------- table

COLUMNS = ["method", "seconds", "wall_seconds", "pairwise_precision",
           "pairwise_recall", "pairwise_f1", "bcubed_f1", "time_vs_ours",
           "f1_vs_ours"]


def row(method, seconds, wall, pw, b3):
    return {"method": method, "seconds": seconds, "wall_seconds": wall,
            "pairwise_precision": pw[0], "pairwise_recall": pw[1],
            "pairwise_f1": pw[2], "bcubed_f1": b3[2]}


def fmt(col, v):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if col in ("seconds", "wall_seconds"):
        return f"{v:.2f}"
    if col == "time_vs_ours":
        return f"{v:.2f}x"
    return f"{v:.4f}"


def print_table(rows):
    cells = [COLUMNS] + [[fmt(c, r.get(c)) for c in COLUMNS] for r in rows]
    widths = [max(len(r[k]) for r in cells) for k in range(len(COLUMNS))]
    for n, r in enumerate(cells):
        print("  ".join(
            v.ljust(w) if k == 0 else v.rjust(w)
            for k, (v, w) in enumerate(zip(r, widths))
        ))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/undersigned",
                    help="the undersigned binary (a release build)")
    ap.add_argument("--names", type=int, default=100_000,
                    help="about how many distinct names (rows of gold.csv)")
    ap.add_argument("--seed", type=int, default=1, help="generator and sampling seed")
    ap.add_argument("--dir", help="work folder (kept); default: a temporary one")
    ap.add_argument("--out", help="also write the table to this CSV file")
    ap.add_argument("--workers", type=int, default=-1,
                    help="RapidFuzz threads (-1: every core, as ours uses)")
    ap.add_argument("--splink-threshold", type=float, default=0.9,
                    help="match probability at which Splink's pairs are clustered")
    ap.add_argument("--no-splink", action="store_true", help="skip Splink")
    args = ap.parse_args()

    binary = os.path.abspath(args.bin)
    tmp = None
    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
        work = args.dir
    else:
        tmp = tempfile.TemporaryDirectory(prefix="undersigned-compare-")
        work = tmp.name

    gold_path, orgs, letters, sigs, n_rows = generate(binary, args.names, args.seed, work)
    log(f"bench gen --orgs {orgs} --letters {letters} --signatures {sigs} "
        f"--seed {args.seed}: {n_rows} names in {gold_path}")

    pairs_path = os.path.join(work, "candidates.csv")
    ours_rows, ours_wall = run_ours(binary, gold_path, pairs_path)
    by_method = {r["method"]: r for r in ours_rows}

    def ours_row(method, label, wall):
        r = by_method[method]
        g = lambda k: float(r[k])  # noqa: E731
        return row(label, g("seconds"), wall,
                   (g("pairwise_precision"), g("pairwise_recall"), g("pairwise_f1")),
                   (g("bcubed_precision"), g("bcubed_recall"), g("bcubed_f1")))

    table = [
        ours_row("undersigned (automatic band)", "undersigned (automatic band)", ours_wall),
        ours_row("token_set_ratio >= 90, same blocking",
                 "token_set_ratio >= 90, our blocking (Rust, inside eval)", None),
    ]

    t = time.perf_counter()
    names, gold = read_gold(gold_path)
    pa, pb = read_pairs(pairs_path)
    load = time.perf_counter() - t
    log(f"{len(names)} names, {len(set(gold))} gold clusters, {len(pa)} candidate pairs")

    pred, secs, edges = run_rapidfuzz(names, pa, pb, args.workers)
    pw, b3 = score(pred, gold)
    table.append(row("RapidFuzz token_set_ratio >= 90, our blocking", secs, secs + load, pw, b3))
    log(f"RapidFuzz: {edges} pairs at >= 90")

    notes = []
    if args.no_splink:
        notes.append("Splink: skipped (--no-splink)")
    else:
        try:
            import splink

            version = splink.__version__
        except Exception as e:  # noqa: BLE001 (any failure to import is the reason)
            version = None
            notes.append(f"Splink did not run: cannot import splink: {type(e).__name__}: {e}")
        if version is not None:
            try:
                t = time.perf_counter()
                pred, secs = run_splink(names, args.splink_threshold, args.seed)
                wall = time.perf_counter() - t + load
                pw, b3 = score(pred, gold)
                table.append(row(f"Splink {version} (DuckDB), p >= {args.splink_threshold}",
                                 secs, wall, pw, b3))
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                notes.append(f"Splink {version} did not run: {type(e).__name__}: {e}")
    if notes:
        table.append({"method": "Splink", "seconds": None})

    ours = table[0]
    for r in table:
        if r.get("seconds") is not None:
            r["time_vs_ours"] = r["seconds"] / ours["seconds"]
            r["f1_vs_ours"] = r["pairwise_f1"] / ours["pairwise_f1"]

    print(f"{len(names)} names ({len(set(gold))} organizations), "
          f"{len(pa)} candidate pairs from our blocking, seed {args.seed}")
    print_table(table)
    for n in notes:
        print(n)
    if args.out:
        with open(args.out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            for r in table:
                w.writerow(["" if r.get(c) is None else r[c] for c in COLUMNS])
            for n in notes:
                w.writerow([n] + [""] * (len(COLUMNS) - 1))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
