"""nbgrader configuration of the AI Engineer Roadmap course.

Used from the repository root:

    nbgrader generate_assignment p1-chat-api --config autograder/nbgrader_config.py
    nbgrader autograde p1-chat-api --config autograder/nbgrader_config.py

and by ``aieng`` (``aieng release``, ``aieng grade``, ``aieng course``), which
loads this same file; for a scratch course it loads a copy placed in the
scratch course's own ``autograder/`` folder, so every path below follows.

- The course root is the repository: ``solutions/`` holds the source
  notebooks, ``labs/`` the release. Everything grading writes (submissions,
  autograded notebooks, feedback, the SQLite gradebook, the exchange) lives in
  the ignored ``.grading/`` folder.
- Learner code runs through ``LabExecute``: the per-lab timeout of
  ``aieng/grading/rules.py``, a memory cap, and a bubblewrap sandbox where
  bubblewrap is installed.
- Feedback never shows hidden test code: ``RedactHiddenTests`` is nbgrader's
  ``ClearHiddenTests`` plus the removal of what tracebacks and other outputs
  quote of the hidden lines.
- Releases are normalised (no outputs, fixed metadata) so that ``labs/`` is
  byte-for-byte what ``solutions/`` generates.
"""

from pathlib import Path

from aieng.grading.layout import COURSE_ID, SECRET_DIRS, CourseLayout
from aieng.grading.nbconfig import prepare_nbgrader
from aieng.grading.rules import DEFAULT_TIMEOUT_S, LADDER, timeouts
from aieng.settings import repo_root

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
prepare_nbgrader()  # `.venv/bin/nbgrader` works without activating the venv

ROOT = Path(__file__).resolve().parent.parent
layout = CourseLayout(ROOT)
layout.grading.mkdir(parents=True, exist_ok=True)
layout.exchange.mkdir(parents=True, exist_ok=True)

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.submitted_directory = ".grading/submitted"
c.CourseDirectory.autograded_directory = ".grading/autograded"
c.CourseDirectory.feedback_directory = ".grading/feedback"
c.CourseDirectory.db_url = layout.db_url
c.Exchange.root = str(layout.exchange)

# Learner code: per-lab timeouts from the rules table, a memory cap, a sandbox.
c.Execute.timeout = DEFAULT_TIMEOUT_S
c.Execute.kernel_name = "python3"
c.LabExecute.timeouts = timeouts()
c.LabExecute.memory_mb = {rule.name: rule.memory_mb for rule in LADDER}
c.LabExecute.sandbox = "auto"
c.LabExecute.hide_paths = sorted(
    {str(base / name) for base in (ROOT, repo_root()) for name in SECRET_DIRS} | {str(Path.home())}
)
c.Autograde.autograde_preprocessors = [
    "aieng.grading.execute.LabExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback: grades, hidden tests cleared from sources and outputs, a results table on top.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "aieng.grading.feedback.RedactHiddenTests",
    "aieng.grading.feedback.FeedbackSummary",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Releases: nbgrader's steps, then outputs and metadata normalised.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
    "aieng.grading.normalise.NormaliseRelease",
]
