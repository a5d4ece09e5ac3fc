"""Pack your exercise modules into submission.zip, and grade that zip as your class will.

    python -m grader.submit                  # exercises/ -> submission.zip, graded
    python -m grader.submit --target mywork  # another folder
    python -m grader.submit --out ~/hw1.zip  # another zip

The zip holds the `.py` files at the top of the folder. It is graded in a fresh process by
`grader.classroom`'s own code (unpacked safely, copied, graded with the same command line and
limits), which is what class grading and the Gradescope bundle run: the score printed is the
one the zip earns there, hidden tests aside. Prints the score as points/max, the zip's path, the
files it holds and its SHA-256. The exit status is the grader's: 0 when every test passed, 1
when any failed, 2 and above when the zip could not be graded.
"""

import argparse
import hashlib
import sys
import tempfile
import zipfile
from pathlib import Path

from coursekit import ROOT, course
from grader import classroom
from grader.progress import points

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same files always give the same zip, and the same SHA-256


def pack(folder, out_zip):
    """Write the .py files at the top of `folder` into `out_zip`; their names."""
    names = sorted(path.name for path in Path(folder).glob("*.py") if path.is_file() and not path.is_symlink())
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, (Path(folder) / name).read_bytes())
    return names


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def grade_zip(out_zip, timeout=classroom.DEFAULT_TIMEOUT, memory_mb=classroom.DEFAULT_MEMORY):
    """Grade `out_zip` as one student of a class; (Result, the grader's terminal output)."""
    with tempfile.TemporaryDirectory(prefix="submission-") as out:
        result = classroom.grade_one("submission", Path(out_zip), out, ROOT, timeout, memory_mb)
        output = Path(out) / "submission" / "output.txt"
        text = output.read_text(encoding="utf-8") if output.exists() else ""
    return result, text


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.submit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default=None, metavar="DIR",
                        help="the folder holding your module files (default: $COURSE_TARGET, else the course's "
                             "exercises/)")
    parser.add_argument("--out", default=str(ROOT / "submission.zip"), metavar="ZIP",
                        help="the zip to write (default: submission.zip in the course folder)")
    parser.add_argument("--timeout", type=float, default=classroom.DEFAULT_TIMEOUT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder, out_zip = course.target(args.target), Path(args.out).resolve()
    if not folder.is_dir():
        parser.error(f"--target {args.target or folder}: no such folder")
    names = pack(folder, out_zip)
    if not names:
        print(f"no .py file in {folder}: nothing to submit", file=sys.stderr)
        out_zip.unlink(missing_ok=True)
        return 2
    print(f"grading {out_zip} in a fresh process, as class grading does ...", flush=True)
    result, text = grade_zip(out_zip, timeout=args.timeout)
    if "your grade" in text:
        print(text[text.rindex("your grade") - 32:].split("\n", 1)[1].rstrip())  # the grade table
    if result.results.get("tests"):
        print(f"score: {points(result.results['score'])}/{points(result.results['max_score'])}")
    else:
        print(f"score: none: {result.status} {result.detail}".rstrip())
    print(f"zip: {out_zip}")
    print(f"files: {', '.join(names)}")
    print(f"sha256: {sha256(out_zip)}")
    if result.exit_code in (0, 1):
        return result.exit_code
    return result.exit_code if result.exit_code and result.exit_code >= 2 else 3


if __name__ == "__main__":
    sys.exit(main())
