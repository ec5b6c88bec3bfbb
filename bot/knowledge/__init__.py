"""The knowledge base: a frozen model of roles, responsibilities, stages, topics and comparisons."""

from bot.knowledge.loader import (
    KnowledgeError,
    Problem,
    check_knowledge,
    load_knowledge,
)
from bot.knowledge.model import (
    Comparison,
    Entry,
    KnowledgeBase,
    Responsibility,
    Role,
    Source,
    Stage,
    Topic,
)

__all__ = ["Comparison", "Entry", "KnowledgeBase", "KnowledgeError", "Problem", "Responsibility",
           "Role", "Source", "Stage", "Topic", "check_knowledge", "load_knowledge"]
