"""Leaves start-up code for every later Python: a .pth file, sitecustomize.py and
usercustomize.py in every site-packages folder it can find, and in the Python installation's
own lib folder. (The submission also ships a .pth file, a sitecustomize.py and modules named
numpy, pytest and conftest beside its own files: tests/hostile/corpus.py adds them.)"""

import os
import site
import sys
import sysconfig

from tests.hostile.toolkit import MARKER, attempt, contained, say

_CODE = f"import os; open('/tmp/{MARKER}.pth-ran', 'w').close()\n"


def _write(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _leave():
    if not contained():
        say("not in the grader's sandbox: writing nothing")
        return
    folders = set(site.getsitepackages()) | {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]}
    folders |= {entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages"))}
    done = []
    for folder in sorted(folders):
        for name, text in ((f"zz-{MARKER}.pth", _CODE), ("sitecustomize.py", f"# {MARKER}\n" + _CODE),
                           ("usercustomize.py", f"# {MARKER}\n" + _CODE)):
            if attempt(_write, os.path.join(folder, name), text):
                done.append(os.path.join(folder, name))
    say(f"start-up files written: {done or 'none'} (in {len(folders)} folders)")


_leave()
