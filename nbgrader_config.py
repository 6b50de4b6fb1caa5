"""nbgrader looks for its config here (formgrader in `make lab`, `nbgrader ...` run from
the repository root): the course's config lives in autograder/nbgrader_config.py."""

c = get_config()  # noqa: F821
load_subconfig("autograder/nbgrader_config.py")  # noqa: F821
