"""Patches the process that runs it (the grader's harness, found as __main__): every error
is answered as a plain value (None) and the stand-ins' logs come back empty, so that no test
can see that something went wrong (the functions themselves return None)."""

import sys

from tests.hostile.toolkit import say

_main = sys.modules.get("__main__")
_done = []
if _main is not None and hasattr(_main, "Harness"):
    _answer = _main.Harness.answer

    def _answer_quietly(self, request, _answer=_answer):
        answer = _answer(self, request)
        if answer.pop("error", None) is not None:
            answer["value"] = None
        return answer

    _main.Harness.answer = _answer_quietly
    _done.append("Harness.answer")
    for _name in getattr(_main, "STAND_INS", {}):
        _main.STAND_INS[_name].record = lambda self: []
        _done.append(f"{_name}.record")
say(f"patched the harness: {_done or 'no harness found in __main__'}")
