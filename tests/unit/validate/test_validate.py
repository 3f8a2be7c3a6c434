#!/usr/bin/python3
"""The validation harness in its quick mode (validate/validate.py
--quick): every node-level check with small batches and every exact
check passes, and the harness can fail: a check fed a wrong theory value
(--wrong-theory) is reported FAIL and the exit status says so.

usage (through taprun.py): test_validate.py VALIDATE_PY BLOCSIM
    VALIDATE_NODES SCALE
SCALE: arrivals per batch x (1 - rho)^2; smaller in the sanitizer build.
"""
import subprocess

VALIDATE, BLOCSIM, NODES, SCALE = ARGS  # noqa: F821 (set by taprun.py)


def validate(*extra):
    p = subprocess.run(
        ["/usr/bin/python3", VALIDATE, "--blocsim", BLOCSIM, "--nodes",
         NODES, "--quick", "--family", "0.999", "--scale", SCALE, "--tap",
         *extra], capture_output=True, text=True, timeout=600)
    assert p.returncode in (0, 1), p.stderr[-3000:]
    lines = p.stdout.splitlines()
    verdicts = {}
    for line in lines:
        if line.startswith(("ok ", "not ok ")):
            cid = line.split(" - ", 1)[1].split(":", 1)[0]
            verdicts[cid] = line.startswith("ok ")
    return p.returncode, verdicts, p.stdout


def test_every_quick_check_passes():
    rc, verdicts, out = validate()
    assert len(verdicts) >= 20, out
    assert any(c.startswith("node.") for c in verdicts), out
    assert any(c.startswith("exact.") for c in verdicts), out
    assert all(verdicts.values()), out
    assert rc == 0, out


def test_a_wrong_mean_sojourn_fails():
    # M/M/10 at rho = 0.5 is the tightest interval (about 0.2% of W): a
    # theory 2% off must fail, and only that check.
    rc, verdicts, out = validate("--only", "node.mm10-0.5-mean",
                                 "--wrong-theory", "node.mm10-0.5-mean=1.02")
    assert verdicts == {"node.mm10-0.5-mean": False}, out
    assert rc == 1, out


def test_a_wrong_bill_fails():
    rc, verdicts, out = validate("--only", "exact.one-bill",
                                 "--wrong-theory", "exact.one-bill=1.000002")
    assert verdicts == {"exact.one-bill": False}, out
    assert rc == 1, out
