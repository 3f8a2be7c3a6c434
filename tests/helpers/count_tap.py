#!/usr/bin/python3
"""Count test cases over meson test logs: every TAP subtest (Criterion
tests and Python test functions) is one case; a test that failed without
reporting a failing subtest (a crash, a timeout) counts as one failure.

usage: count_tap.py TESTLOG.json... ; prints "N passed, N failed" and exits
non-zero if anything failed or a log is missing.
"""
import json
import re
import sys

OK = re.compile(r"^ok\b")
NOT_OK = re.compile(r"^not ok\b")
SKIP = re.compile(r"#\s*skip", re.I)


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            lines = open(path).read().splitlines()
        except OSError as e:
            print(f"count_tap: {path}: {e.strerror}", file=sys.stderr)
            failed += 1
            continue
        for line in lines:
            t = json.loads(line)
            p = f = 0
            for out in (t.get("stdout") or "").splitlines():
                if NOT_OK.match(out):
                    f += 1
                elif OK.match(out):
                    if SKIP.search(out):
                        skipped += 1
                    else:
                        p += 1
            if t.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and f == 0:
                f = 1
            passed += p
            failed += f
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
