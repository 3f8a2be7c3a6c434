#!/usr/bin/python3
"""`blocsim check`: a valid scenario's summary, and a table of malformed
scenarios, each refused with exit status 2 and a message naming the file,
line and key path (the same loader serves `blocsim run`)."""
import os
import re
import subprocess
import tempfile

BLOCSIM, DATA = ARGS  # noqa: F821 (set by taprun.py)
MINI = os.path.abspath(os.path.join(DATA, "mini.yaml"))


def check(*args):
    return subprocess.run([BLOCSIM, "check", *args], capture_output=True,
                          text=True, timeout=60)


def test_a_valid_scenario_is_summarised():
    p = check(MINI)
    assert p.returncode == 0, p.stderr
    assert "scenario mini" in p.stdout
    assert "countries: 3, cities: 4, operators: 3, blocs: 1" in p.stdout
    assert "DT-DE(262-01)" in p.stdout and "ATT-US(310-410)" in p.stdout
    assert "agreements: 1 bloc_partner, 4 arms_length, 1 none" in p.stdout
    assert "bloc Jasper: ATT-US KPN-NL" in p.stdout
    assert "class meter: 800 devices, stationary, 1.0 reports" in p.stdout
    assert "class tracker: 200 devices, on routes, 1440.0 reports" in p.stdout
    assert p.stdout.rstrip().endswith("ok")


def test_overrides_and_extends_reach_the_world():
    p = check(MINI, "--set", "run.seed=7", "--set",
              "operators.KPN-NL.mnc=\"69\"")
    assert p.returncode == 0, p.stderr
    assert "seed 7" in p.stdout and "KPN-NL(204-69)" in p.stdout
    d = tempfile.mkdtemp()
    child = os.path.join(d, "child.yaml")
    with open(child, "w") as f:
        f.write(f"extends: {MINI}\nname: child\nrun:\n  seed: 9\n")
    p = check(child)
    assert p.returncode == 0, p.stderr
    assert "scenario child" in p.stdout and "seed 9" in p.stdout


# (replace this text, with this, message must match this regex)
BAD = [
    ("seed: 42", "sed: 42", r":7:3: run\.sed: unknown key 'sed'"),
    ("duration_s: 86400", "duration_s: 0", r":6:15: run\.duration_s: 0 is out of range"),
    ("duration_s: 86400", "duration_s: one day", r"run\.duration_s: expected a whole number"),
    ("start: 2026-01-05T00:00:00Z", "start: 2026-02-30T00:00:00Z", r":5:10: run\.start: expected a UTC"),
    ("output: billing", "output: everything", r"run\.output: expected summary, billing or full"),
    ("cell_km: 5", "cell_km: 0.1", r"grid\.cell_km: 0\.1 is out of range"),
    ("north: 55.5", "north: 40", r"grid\.north: north must lie north of south"),
    ("ta_cells: 4", "ta_cells: yes", r"grid\.ta_cells: expected a whole number"),
    ("iso: DE,", "iso: de,", r"countries\.DE\.iso: expected two capital letters"),
    ('mcc: "204", utc', 'mcc: "2040", utc', r"countries\.NL\.mcc: expected three digits"),
    ("utc_offset_min: -300", "utc_offset_min: -900", r"countries\.US\.utc_offset_min: -900 is out of range"),
    ("territory: false", "territory: no", r"countries\.US\.territory: expected true or false"),
    ("lat: 51.9225", "lat: 91", r"cities\.Rotterdam\.lat: 91 is out of range"),
    ("country: NL}", "country: BE}", r"cities\.Rotterdam\.country: no country named 'BE'"),
    ('mnc: "01"', 'mnc: "1"', r"operators\.DT-DE\.mnc: expected two or three digits"),
    ('mnc: "08"', 'mnc: "01"\n    mcc_typo: 1', r"operators\.KPN-NL\.mcc_typo: unknown key"),
    ("tadig: DEUD1", "tadig: DEU", r"operators\.DT-DE\.tadig: expected five capitals"),
    ("country: DE\n    coverage", "country: DK\n    coverage", r"operators\.DT-DE\.country: no country named 'DK'"),
    ("coverage_share: 0.98", "coverage_share: 1.5", r"operators\.DT-DE\.coverage_share: 1\.5 is out of range"),
    ("radio: [lte-m, nb-iot, 2g]", "radio: [lte-m, 5g]", r"operators\.DT-DE\.radio\[1\]: expected lte-m, nb-iot or 2g"),
    ("hss_site: Bonn", "hss_site: Berlin", r"operators\.DT-DE\.hss_site: no city named 'Berlin'"),
    ("hss_capacity_per_s: 2000", "hss_capacity_per_s: fast", r"operators\.KPN-NL\.hss_capacity_per_s: expected a number"),
    ('mcc: "262"\n    mnc', 'mcc: "204"\n    mnc', r"operators\.DT-DE\.mcc: MCC 204 is not that of DE \(262\)"),
    ("members: [ATT-US, KPN-NL]", "members: [ATT-US, Vodafone-DE]", r"blocs\.Jasper\.members\[1\]: no operator named 'Vodafone-DE'"),
    ("members: [ATT-US, KPN-NL]", "members: [ATT-US, ATT-US]", r"blocs\.Jasper\.members\[1\]: 'ATT-US' is listed twice"),
    ("members: [ATT-US, KPN-NL]", "members: []", r"blocs\.Jasper\.members: expected a non-empty list"),
    ("blocs:", "blocz:", r"blocz: unknown key 'blocz'"),
    ("  Jasper:\n", "  Jasper: 5\n  Jasper2:\n", r"blocs\.Jasper: expected a mapping"),
    ("seed: 42", "seed: 42\n  seed: 43", r"run\.seed: duplicate key"),
    ("bin_s: 60", "bin_s: {a: 1}", r"run\.bin_s: expected a single value"),
    ("name: mini", "name: mini\nname: again", r":4:1: name: duplicate key"),
    ("relation: none", "relation: friends", r"agreements\.pairs\.KPN-NL>ATT-US\.relation: expected same_group"),
    ("path: direct", "path: carrier-pigeon", r"agreements\.terms\.bloc_partner\.path: expected ipx or direct"),
    ("eplmn: true", "eplmn: false", r"agreements\.terms\.bloc_partner\.handover: inter-network handover needs eplmn"),
    ("DT-DE>KPN-NL:", "DT-DE>Telia-SE:", r"agreements\.pairs\.DT-DE>Telia-SE: no operator named 'Telia-SE'"),
    ("DT-DE>KPN-NL:", "DT-DE:", r"agreements\.pairs\.DT-DE: expected a key HOME>VISITED"),
    ("rate_eur_per_mb: 0.00065", "rate_eur_per_mb: 0.0000001", r"agreements\.terms\.bloc_partner\.rate_eur_per_mb: expected an amount in euro"),
    ("access_fee_eur: 0.10", "access_fee_eur: -0.10", r"access_fee_eur: amount must not be negative"),
    ("netting: true", "netting: true\n      discount: 0.5", r"agreements\.terms\.bloc_partner\.discount: unknown key"),
    ("bloc_partner:", "bloc_partners:", r"agreements\.terms\.bloc_partners: unknown key"),
    ("waypoints: [Rotterdam, Duisburg, Bonn]", "waypoints: [Rotterdam]", r"routes\.rotterdam-bonn\.waypoints: expected a list of at least 2"),
    ("waypoints: [Rotterdam, Duisburg, Bonn]", "waypoints: [Rotterdam, Dallas]", r"waypoints\[1\]: 'Dallas' lies in US, which is not a territory"),
    ("speed_kmh: 80", "speed_kmh: 900", r"routes\.rotterdam-bonn\.speed_kmh: 900 is out of range"),
    ("members: [ATT-US, KPN-NL]\n    hss_site: Dallas", "members: [ATT-US, O2-DE]\n    hss_site: Dallas", r"platforms\.Jasper-platform\.members\[1\]: no operator named 'O2-DE'"),
    ("countries: {DE: 3, NL: 1}", "countries: {DE: 3, BE: 1}", r"classes\.meter\.countries\.BE: no country named 'BE'"),
    ("countries: {DE: 3, NL: 1}", "countries: {DE: 3, US: 1}", r"classes\.meter\.countries\.US: US is not a territory"),
    ("homes: {DT-DE: 0.75, KPN-NL: 0.25}", "homes: {DT-DE: -1}", r"classes\.meter\.homes\.DT-DE: -1 is out of range"),
    ("radio: nb-iot", "radio: lora", r"classes\.meter\.radio: expected lte-m, nb-iot or 2g"),
    ("mobility: route", "mobility: flying", r"classes\.tracker\.mobility: expected stationary or route"),
    ("routes: {rotterdam-bonn: 1}", "routes: {paris-berlin: 1}", r"classes\.tracker\.routes\.paris-berlin: no route named"),
    ("count: 800", "count: lots", r"classes\.meter\.count: expected a whole number"),
    ("mobility: stationary", "mobility: stationary\n    routes: {rotterdam-bonn: 1}", r"classes\.meter\.routes: a stationary class has no routes"),
    ("kind: hss_outage, operator: DT-DE", "kind: hss_outage, country: DE", r"failures\[0\]\.country: a hss_outage names no country"),
    ("kind: ipx_outage", "kind: meteor", r"failures\[1\]\.kind: expected hss_outage"),
    ("duration_s: 600}", "duration_s: 0}", r"failures\[1\]\.duration_s: 0 is out of range"),
]


def test_malformed_scenarios_exit_2_naming_line_and_key():
    with open(MINI) as f:
        good = f.read()
    d = tempfile.mkdtemp()
    assert len(BAD) >= 20
    for i, (old, new, want) in enumerate(BAD):
        assert old in good, old
        path = os.path.join(d, f"bad{i}.yaml")
        with open(path, "w") as f:
            f.write(good.replace(old, new, 1))
        p = check(path)
        assert p.returncode == 2, (i, new, p.returncode, p.stdout)
        assert p.stdout == "", (i, p.stdout)
        msg = p.stderr.strip()
        assert msg.startswith(f"blocsim check: {path}:"), (i, msg)
        assert re.search(r"\.yaml:\d+:\d+: ", msg), (i, msg)
        assert re.search(want, msg), (i, want, msg)


def test_bad_overrides_and_files_exit_2():
    p = check(MINI, "--set", "operators.XX.mnc=1")
    assert p.returncode == 2
    assert "--set #1: operators.XX: no such key" in p.stderr
    p = check(MINI, "--set", "run.seed=-1")
    assert p.returncode == 2 and "--set #1: run.seed:" in p.stderr
    p = check("/nonexistent.yaml")
    assert p.returncode == 2 and "cannot read" in p.stderr
    p = check()
    assert p.returncode == 2


README = os.path.join(os.path.dirname(os.path.abspath(DATA)), "..",
                      "scenarios", "README.md")


def test_the_readme_key_tables_are_the_loaders_tables():
    """scenarios/README.md holds, between its markers, exactly what the
    key tables of io/scenario_keys.c generate: a key added, removed or
    changed in one place and not the other fails here."""
    p = check("--keys")
    assert p.returncode == 0, p.stderr
    with open(README) as f:
        text = f.read()
    m = re.search(r"<!-- keys:begin[^\n]*-->\n(.*)<!-- keys:end -->",
                  text, re.S)
    assert m, "README has no generated key tables"
    assert m.group(1) == p.stdout, (
        "scenarios/README.md and `blocsim check --keys` disagree: "
        "regenerate the tables between the markers")
    # The tables declare the keys the loader accepts: a sample of them.
    for key in ("| `t3410_s` | number, s, 1 to 600 | 15 | [K-naslist]",
                "| `hss_capacity_per_s` | number, tx/s",
                "| `output` | `summary`, `billing`, `full` | billing"):
        assert key in p.stdout


def test_an_undeclared_key_is_refused_and_defaults_fill_the_rest():
    d = tempfile.mkdtemp()
    bad = os.path.join(d, "bad.yaml")
    with open(bad, "w") as f:
        f.write(f"extends: {MINI}\nclasses:\n  meter:\n    t3410s: 20\n")
    p = check(bad)
    assert p.returncode == 2
    assert "bad.yaml:4:5: classes.meter.t3410s" in p.stderr, p.stderr
    # A key set away from its default shows in the summary; an absent one
    # takes the table's default and does not.
    p = check(MINI, "--set", "classes.meter.t3410_s=20")
    assert p.returncode == 0, p.stderr
    line = [x for x in p.stdout.splitlines() if x.startswith("  class meter:")
            and "=" in x]
    assert line and "t3410_s=20 s" in line[0], p.stdout
    assert "t3411_s" not in line[0]


def test_the_dimensioning_rule_sizes_nodes_by_hand():
    """3.6 million subscribers at 1 HSS transaction per busy hour, built
    for 40% utilisation on servers of 200/s: 3.6e6 / 3600 / 0.4 = 2,500/s
    needs 12.5 servers, so 13 of them (2,600/s); 20 MME procedures per
    subscriber-hour on 1,000/s servers: 50,000/s, 50 servers. Headroom 2
    doubles both. A capacity key beside `subscribers` is refused."""
    d = tempfile.mkdtemp()
    f = os.path.join(d, "dim.yaml")
    with open(f, "w") as out:
        out.write(f"extends: {MINI}\noperators:\n  DT-DE:\n"
                  "    subscribers: 3600000\n")
    p = check(f)
    assert p.returncode == 0, p.stderr
    line = [x for x in p.stdout.splitlines() if x.strip().startswith(
        "DT-DE: 3600000 subscribers")]
    assert line, p.stdout
    assert "hss 13 servers, 2600/s" in line[0], line[0]
    assert "mme 50, 50000/s" in line[0], line[0]
    with open(f, "a") as out:
        out.write("dimensioning:\n  headroom: 2\n")
    p = check(f)
    assert p.returncode == 0, p.stderr
    assert "hss 25 servers, 5000/s" in p.stdout and "mme 100, 100000/s" \
        in p.stdout, p.stdout
    bad = os.path.join(d, "bad.yaml")
    with open(bad, "w") as out:
        out.write(f"extends: {MINI}\noperators:\n  DT-DE:\n"
                  "    subscribers: 3600000\n    hss_capacity_per_s: 900\n")
    p = check(bad)
    assert p.returncode == 2
    assert "bad.yaml:5:25: operators.DT-DE.hss_capacity_per_s: set with " \
        "subscribers" in p.stderr, p.stderr
