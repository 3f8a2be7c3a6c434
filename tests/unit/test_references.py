#!/usr/bin/python3
"""Every source key `[K-...]` cited in the repository resolves in
docs/references.md, and every entry there is cited.

A use is a key inside square brackets: one key per pair, pairs in a row,
or several keys in one pair separated by commas. Keys may contain hyphens
(K-<name>-<part>). A key-shaped word outside brackets that is not a
defined key (the K-th share) is prose.

docs/references.md has two sections. An entry under "## Cited" must be
used somewhere (a stale entry fails, so the list stays the project's
bibliography, not a copy of the domain reference). An entry under
"## Reserved" is a source planned for use: it must not be used yet (once
it is, the entry moves up to "Cited"), so the section heading stays true.

usage (through taprun.py): test_references.py SOURCE_ROOT
"""
import os
import re
import subprocess

ROOT = ARGS[0]  # noqa: F821 (set by taprun.py)
REFS = os.path.join("docs", "references.md")

KEY = r"K-[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"
BRACKETS = re.compile(r"\[([^\[\]\n]*)\]")
KEY_IN = re.compile(r"(?<![A-Za-z0-9_-])(" + KEY + r")(?![A-Za-z0-9_])")
SKIP_DIRS = {".git", "build", "subprojects"}
FIELDS = ("Title", "By", "Year", "Address", "Use")


def tracked_files():
    """Tracked files when ROOT is a git checkout, else a walk of the tree
    (a tarball, or git missing)."""
    try:
        p = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"],
                           capture_output=True, check=True)
        files = [f for f in p.stdout.decode().split("\0") if f]
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    out = []
    for base, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs
                   if d not in SKIP_DIRS and not d.startswith("build")]
        for n in names:
            out.append(os.path.relpath(os.path.join(base, n), ROOT))
    return out


def citing_files():
    """Every tracked text file (code, scenarios, docs, READMEs, analysis,
    build files) but docs/references.md itself; binary files (a NUL byte
    in the first 8 kB: figures) are skipped."""
    for f in tracked_files():
        path = os.path.join(ROOT, f)
        if f == REFS or not os.path.isfile(path):
            continue
        with open(path, "rb") as fh:
            if b"\0" in fh.read(8192):
                continue
        yield f, path


def uses():
    """{key: [file:line, ...]} of every bracketed key."""
    found = {}
    for rel, path in citing_files():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                for group in BRACKETS.findall(line):
                    for key in KEY_IN.findall(group):
                        found.setdefault(key, []).append(f"{rel}:{n}")
    return found


def entries():
    """{section: {key: {field: value}}} of docs/references.md."""
    sections, section, key = {}, None, None
    with open(os.path.join(ROOT, REFS), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.startswith("## "):
                section, key = line[3:].strip(), None
                sections.setdefault(section, {})
            elif line.startswith("### "):
                key = line[4:].strip()
                assert re.fullmatch(KEY, key), f"{REFS}:{n}: bad key {key!r}"
                assert section, f"{REFS}:{n}: {key} outside a section"
                assert all(key not in s for s in sections.values()), \
                    f"{REFS}:{n}: {key} defined twice"
                sections[section][key] = {}
            elif key:
                m = re.match(r"- \*\*(\w+):\*\* (.+)", line)
                if m:
                    sections[section][key][m.group(1)] = m.group(2).strip()
    return sections


def test_references_parse():
    secs = entries()
    assert set(secs) == {"Cited", "Reserved"}, sorted(secs)
    bad = []
    for sec in secs.values():
        for key, fields in sec.items():
            missing = [f for f in FIELDS if not fields.get(f)]
            if missing:
                bad.append(f"{key}: no {', '.join(missing)}")
            year = fields.get("Year", "")
            if year and not re.match(r"(n\.d\.|(19|20)\d\d(?!\d))", year):
                bad.append(f"{key}: year {year!r} is neither n.d. nor a year")
            addr = fields.get("Address", "")
            if addr and not re.search(r"https?://", addr):
                bad.append(f"{key}: address {addr!r} is not a URL")
    assert not bad, "\n".join(bad)


def test_every_cited_key_resolves():
    defined = {k for sec in entries().values() for k in sec}
    used = uses()
    assert len(used) >= 10, f"too few keys found, is {ROOT} the source root?"
    missing = {k: v for k, v in used.items() if k not in defined}
    assert not missing, "keys not in docs/references.md:\n" + "\n".join(
        f"  {k}: {', '.join(v[:3])}" for k, v in sorted(missing.items()))


def test_every_cited_entry_is_used():
    used = uses()
    stale = sorted(k for k in entries()["Cited"] if k not in used)
    assert not stale, ("entries under Cited that nothing cites (remove them "
                       "or move them to Reserved): " + ", ".join(stale))


def test_reserved_entries_are_unused():
    used = uses()
    now = {k: used[k] for k in entries()["Reserved"] if k in used}
    assert not now, "Reserved entries now cited (move them to Cited):\n" + \
        "\n".join(f"  {k}: {', '.join(v[:3])}" for k, v in sorted(now.items()))


def test_bare_keys_are_prose():
    """A key-shaped word outside brackets that names a defined key is a
    citation missing its brackets (`K-th` and the like are prose)."""
    defined = {k for sec in entries().values() for k in sec}
    bare = []
    for rel, path in citing_files():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                outside = BRACKETS.sub("", line)
                for key in KEY_IN.findall(outside):
                    if key in defined:
                        bare.append(f"{rel}:{n}: {key}")
    assert not bare, "keys cited without brackets:\n" + "\n".join(bare)
