"""Official Q&A content: models, the loader and the importer."""

from bot.content.loader import ContentError, Problem, check, load_catalogue
from bot.content.models import Catalogue, Entry, Source

__all__ = ["Catalogue", "ContentError", "Entry", "Problem", "Source", "check", "load_catalogue"]
