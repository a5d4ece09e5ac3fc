"""The end-of-run summary: the reference walkthrough once a module passes, the diagnosis kept in next:."""

from coursekit import course
from grader import progress
from grader.plugin import Outcome

DIAGNOSED = ("biases_grad[2] has the right shape (10,) but wrong values: got -0.296, expected 0.296\n"
             "    probably: the sign of g is flipped: every gradient is exactly minus the right one.\n"
             f"      about this mistake: {course.lesson_url('network', 'sign-flipped')}\n"
             f"    reread: {course.lesson_url('network', 'backpropagation')}")


def outcome(module, status, output="", section="backpropagation", name="test_x"):
    return Outcome(module=module, name=name, max_score=1.0, status=status, output=output, section=section)


def test_a_passing_module_links_to_its_reference_walkthrough():
    lines = progress.summary_lines([outcome("network", "passed"), outcome("functional", "failed", "wrong")], "x")
    compare = [line for line in lines if "compare with the reference" in line]
    assert compare == [f"network.py passes: compare with the reference, "
                       f"{course.lesson_url('network', progress.REFERENCE_ANCHOR)}"]


def test_next_keeps_the_diagnosis_and_its_mistake_link():
    lines = "\n".join(progress.summary_lines([outcome("network", "failed", DIAGNOSED)], "x"))
    after = lines[lines.index("next: fix network.py, test_x: biases_grad[2]"):]
    assert "probably: the sign of g is flipped" in after
    assert f"about this mistake: {course.lesson_url('network', 'sign-flipped')}" in after
    assert after.count("reread:") == 1 and course.lesson_url("network", "backpropagation") in after
    assert "stuck? python -m grader.hint network or python -m grader.trace network" in after


def test_next_without_a_diagnosis_is_one_line_and_its_link():
    lines = "\n".join(progress.summary_lines([outcome("network", "failed", "wrong shape\n    reread: x")], "x"))
    lines = lines.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("next:"))
    assert lines[start] == "next: fix network.py, test_x: wrong shape"
    assert lines[start + 1].strip() == f"reread: {course.lesson_url('network', 'backpropagation')}"
