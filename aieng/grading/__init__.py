"""Grading and certification of the course's labs, over nbgrader.

    check("p1-chat-api")        the learner's self-check (visible tests, damaged cells)
    grade("p1-chat-api")        the instructor's batch autograde, isolated and timed
    progress()                  certified or not, per learner and phase (text, CSV, HTML)
    release_labs()              labs/ regenerated from solutions/
    labs_in_sync("p1-chat-api") what differs between labs/ and solutions/
    inspect_notebook(nb, lab)   deleted / altered / stripped / renamed test cells

``aieng course`` runs the whole ladder (``aieng.grading.course.run_course``).
"""

from aieng.grading.check import check
from aieng.grading.integrity import inspect_notebook
from aieng.grading.pipeline import grade
from aieng.grading.progress import progress
from aieng.grading.release import labs_in_sync, release_labs
from aieng.grading.rules import LADDER, rule_for

__all__ = [
    "LADDER",
    "check",
    "grade",
    "inspect_notebook",
    "labs_in_sync",
    "progress",
    "release_labs",
    "rule_for",
]
