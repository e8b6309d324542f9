# ruff: noqa: UP021, UP031, PLW1510  (kept to what old Pythons run: % formatting, universal_newlines)
"""Run by `make setup` before anything is installed: is the Python that makes (or made) .venv supported?

Kept to syntax old Pythons parse, so an unsupported one gets this message rather than a traceback.
Usage: python3 scripts/check_python.py .venv
"""

import os
import subprocess
import sys

NEED = (3, 11)


def version_of(python):
    out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
    return tuple(int(x) for x in out.stdout.strip().split(".")) if out.returncode == 0 and out.stdout.strip() else None


def main(venv):
    need = "%d.%d" % NEED
    venv_python = os.path.join(venv, "bin", "python")
    if os.path.exists(venv_python):
        have = version_of(venv_python)
        if have is None:
            print("%s does not run (was the Python that made it removed or upgraded?). Remove it and set up again:\n"
                  "    rm -rf %s && make setup" % (venv_python, venv), file=sys.stderr)
            return 1
        if have < NEED:
            print("%s was made by Python %d.%d; this project needs Python %s or newer. Remove it and set up again "
                  "with a newer Python:\n    rm -rf %s && make setup PYTHON=python3.12" % (venv, have[0], have[1], need, venv), file=sys.stderr)
            return 1
        return 0
    if sys.version_info[:2] < NEED:
        print("%s is Python %d.%d; this project needs Python %s or newer: make setup PYTHON=python3.12 (or another 3.11+)"
              % (sys.executable, sys.version_info[0], sys.version_info[1], need), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
