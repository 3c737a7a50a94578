"""Content lint: finds prohibited collection language in templates and call notes.

The first layer of catalogue section 3.15 (ContentRules): a deterministic lexicon per
language, kept as data in compliance/lexicons/ so compliance staff can review it
without reading Python. Claim checks ("we will sue" needs an approved litigation
decision) and tone models are later layers and not done here.

    result = content_check("不还钱就通知你单位", language="zh-hans")
    result.ok                   # False
    result.categories           # frozenset({"third_party_exposure"})
    result.findings[0].start    # offsets index the original text

Templates that fail the lint cannot be activated; call notes that fail are flagged for
a supervisor. The compliance gate reports findings with the reason code
`content_prohibited` (see `ContentFinding.as_reason`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
LEXICON_LANGUAGES = ("zh", "en")
# How far back from a match to look for a negation ("we will not tell your employer").
NEGATION_LOOKBEHIND = 24


@dataclass(frozen=True)
class Category:
    code: str
    rules: tuple[str, ...]
    message_en: str
    message_zh: str


@dataclass(frozen=True)
class Lexicon:
    language: str
    patterns: tuple[tuple[str, re.Pattern], ...]  # (category code, compiled regex)
    negation: re.Pattern | None


@dataclass(frozen=True)
class ContentFinding:
    """One offending span: `text == checked_text[start:end]` (code-point offsets)."""

    category: str
    text: str
    start: int
    end: int
    lexicon: str
    message_en: str
    message_zh: str
    rules: tuple[str, ...]

    @property
    def citation(self) -> str:
        return ", ".join(self.rules)

    def message(self, language: str | None = None) -> str:
        return self.message_zh if _is_chinese(language) else self.message_en

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "lexicon": self.lexicon,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
            "rules": list(self.rules),
            "citation": self.citation,
        }

    def as_reason(self) -> dict:
        """The finding in the decision-reason shape (compliance.reasons.render)."""
        return {
            "code": "content_prohibited",
            "rule": f"content.{self.category}",
            "message": f"{self.message_en} «{self.text}»",
            "message_zh": f"{self.message_zh}「{self.text}」",
            "citation": self.citation,
        }


@dataclass(frozen=True)
class ContentCheckResult:
    text: str
    language: str | None
    findings: tuple[ContentFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(f.category for f in self.findings)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "categories": sorted(self.categories),
            "findings": [f.as_dict() for f in self.findings],
        }


def content_check(text: str, language: str | None = None) -> ContentCheckResult:
    """Find threats, insults, impersonation, false consequences, third-party exposure,
    pressure to borrow and private channels in `text`.

    Every lexicon runs whatever `language` says: Chinese templates quote English
    product names and English notes quote what a Chinese-speaking customer was told,
    so trusting the declared language would let mixed text through. `language` (en,
    zh, zh-hans, ...) only picks the language of `ContentFinding.message`.
    """
    if language is not None and not _known_language(language):
        raise ValueError(f"Unknown language {language!r}; use en or zh(-hans).")
    categories = _categories()
    findings: list[ContentFinding] = []
    for lexicon in _lexicons():
        spans: dict[str, list[tuple[int, int]]] = {}
        for code, pattern in lexicon.patterns:
            for match in pattern.finditer(text):
                if match.end() == match.start():
                    continue
                if _negated(lexicon, text, match.start()):
                    continue
                spans.setdefault(code, []).append((match.start(), match.end()))
        for code, found in spans.items():
            category = categories[code]
            for start, end in _merge(found):
                findings.append(
                    ContentFinding(
                        category=code,
                        text=text[start:end],
                        start=start,
                        end=end,
                        lexicon=lexicon.language,
                        message_en=category.message_en,
                        message_zh=category.message_zh,
                        rules=category.rules,
                    )
                )
    findings.sort(key=lambda f: (f.start, f.end, f.category))
    return ContentCheckResult(text=text, language=language, findings=tuple(findings))


def _negated(lexicon: Lexicon, text: str, start: int) -> bool:
    if lexicon.negation is None:
        return False
    before = text[max(0, start - NEGATION_LOOKBEHIND) : start]
    return lexicon.negation.search(before) is not None


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans of one category become one finding (several patterns often
    hit the same phrase); spans of different categories are all kept."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _is_chinese(language: str | None) -> bool:
    return bool(language) and language.lower().startswith("zh")


def _known_language(language: str) -> bool:
    return language.lower().split("-")[0].split("_")[0] in LEXICON_LANGUAGES


def _compile(source: str, flags: int) -> re.Pattern:
    # Lexicon conventions (see the file headers): " ?" is optional whitespace, " " is
    # any run of whitespace, and ' matches a curly apostrophe too.
    source = source.replace(" ?", r"\s*").replace(" ", r"\s+").replace("'", "['’]")
    return re.compile(source, flags)


@cache
def _categories() -> dict[str, Category]:
    data = tomllib.loads((LEXICON_DIR / "categories.toml").read_text("utf-8"))
    return {
        code: Category(
            code=code,
            rules=tuple(entry["rules"]),
            message_en=entry["message_en"],
            message_zh=entry["message_zh"],
        )
        for code, entry in data.items()
    }


@cache
def _lexicons() -> tuple[Lexicon, ...]:
    categories = _categories()
    lexicons = []
    for language in LEXICON_LANGUAGES:
        data = tomllib.loads((LEXICON_DIR / f"{language}.toml").read_text("utf-8"))
        flags = re.IGNORECASE if "i" in data.get("flags", "") else 0
        patterns = []
        for code, sources in data["patterns"].items():
            if code not in categories:
                raise ValueError(f"{language}.toml: unknown category {code!r}.")
            patterns.extend((code, _compile(source, flags)) for source in sources)
        negation = data.get("negation")
        lexicons.append(
            Lexicon(
                language=language,
                patterns=tuple(patterns),
                negation=_compile(negation, flags) if negation else None,
            )
        )
    return tuple(lexicons)
