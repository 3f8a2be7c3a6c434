#!/usr/bin/python3
"""Run the test_* functions of a Python test file and report them as TAP.

usage: taprun.py TEST_FILE [ARG...]

The file's module gets ARGS (the extra arguments) before its tests run.
Each test function is one TAP test case, so `./run test` counts Python
tests exactly like Criterion's. A missing module is a failure, not a skip.
"""
import importlib.util
import os
import sys
import traceback


class Skip(Exception):
    """Raised by a test that cannot run in this build (reported as TAP
    `# SKIP reason`, counted as skipped, never as passed)."""



def main():
    path, args = sys.argv[1], sys.argv[2:]
    # Shared test helpers (h5same) live beside this runner.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        os.path.splitext(os.path.basename(path))[0], path)
    mod = importlib.util.module_from_spec(spec)
    mod.ARGS = args
    mod.Skip = Skip
    try:
        spec.loader.exec_module(mod)
    except Exception:
        print("1..1")
        print(f"not ok 1 - import {path}")
        for line in traceback.format_exc().splitlines():
            print("# " + line)
        return 1
    tests = [(n, f) for n, f in vars(mod).items()
             if n.startswith("test_") and callable(f)]
    print(f"1..{len(tests)}")
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn()
            print(f"ok {i} - {name}")
        except Skip as e:
            print(f"ok {i} - {name} # SKIP {e}")
        except Exception:
            failed += 1
            print(f"not ok {i} - {name}")
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
