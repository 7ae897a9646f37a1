"""State shared between the MkDocs hooks during one build (hooks are loaded as separate modules)."""
from __future__ import annotations

figures: dict = {}  # name -> tmj.figures.BuiltFigure
questions: dict = {}  # qid -> tmj.pages.Question
references: dict = {}  # key -> tmj.pages.Reference
