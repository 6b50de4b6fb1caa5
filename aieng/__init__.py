"""The AI Engineer Roadmap's helper package.

Notebooks import what they need from the subpackages (``aieng.llm``,
``aieng.chat``, ...). Importing ``aieng`` itself is cheap: heavy libraries
(torch, sentence-transformers, FAISS) load lazily, on first use.
"""

__version__ = "0.1.0"
