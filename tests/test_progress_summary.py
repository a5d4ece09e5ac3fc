"""The end-of-run summary: the reference walkthrough once a module passes, the diagnosis kept in next:."""

from coursekit import course
from grader import progress
from grader.results import Result

SAID = "biases_grad[2] has the right shape (10,) but wrong values: got -0.296, expected 0.296"
EXPLAINED = ("probably: the sign of g is flipped: every gradient is exactly minus the right one.\n"
             f"      about this mistake: {course.lesson_url('network', 'sign-flipped')}")


def record(module, status, message="", section="backpropagation", name="test_x", **more):
    return Result(module=module, function=name, name=name, points=1.0, status=status, message=message,
                  section=section, **more)


def test_a_passing_module_links_to_its_reference_walkthrough():
    lines = progress.summary_lines([record("network", "passed"), record("functional", "failed", "wrong")], "x")
    compare = [line for line in lines if "compare with the reference" in line]
    assert compare == [f"network.py passes: compare with the reference, "
                       f"{course.lesson_url('network', progress.REFERENCE_ANCHOR)}"]


def test_next_keeps_the_diagnosis_and_its_mistake_link():
    diagnosed = record("network", "failed", SAID, explanation=EXPLAINED, diagnosis=("the sign of g is flipped",))
    lines = "\n".join(progress.summary_lines([diagnosed], "x"))
    after = lines[lines.index("next: fix network.py, test_x: biases_grad[2]"):]
    assert "probably: the sign of g is flipped" in after
    assert f"about this mistake: {course.lesson_url('network', 'sign-flipped')}" in after
    assert after.count("reread:") == 1 and course.lesson_url("network", "backpropagation") in after
    assert "stuck? python -m grader.hint network or python -m grader.trace network" in after


def test_next_shows_a_diagnosis_only_when_it_names_a_mistake():
    """The diagnosis is a field: an explanation that names no mistake (the grader did not recognise
    the numbers) is not shown in next:, and a message that merely says "probably" is not a diagnosis."""
    unrecognised = record("network", "failed", SAID, explanation="the grader does not recognise this mistake")
    lines = "\n".join(progress.summary_lines([unrecognised], "x"))
    assert "does not recognise" not in lines
    wordy = record("network", "failed", "wrong values\n    probably: not a diagnosis of the grader's")
    assert "not a diagnosis" not in "\n".join(progress.summary_lines([wordy], "x")).split("next:")[1]


def test_next_without_a_diagnosis_is_one_line_and_its_link():
    lines = "\n".join(progress.summary_lines([record("network", "failed", "wrong shape")], "x"))
    lines = lines.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("next:"))
    assert lines[start] == "next: fix network.py, test_x: wrong shape"
    assert lines[start + 1].strip() == f"reread: {course.lesson_url('network', 'backpropagation')}"


def test_a_failure_fed_by_another_is_not_first_and_stubs_are_named_from_the_record():
    fed = record("network", "failed", "wrong output", name="test_a", upstream=("Network.forward",),
                 note="fix Network.forward first: ...")
    own = record("network", "failed", "wrong layers", name="test_b")
    assert "next: fix network.py, test_b: wrong layers" in "\n".join(progress.summary_lines([fed, own], "x"))
    todo = record("network", "not attempted", "whatever the message says", name="test_c",
                  stubs=("network:Network.forward", "training:train"))
    lines = "\n".join(progress.summary_lines([todo], "x"))
    assert ("next: Network.forward in network.py and train in training.py are still a stub; start with test_c"
            in lines)
