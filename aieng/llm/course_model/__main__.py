"""``python -m aieng.llm.course_model``: the same as ``aieng serve``."""

from aieng.cli import main

if __name__ == "__main__":
    main(["serve", *__import__("sys").argv[1:]])
