"""Content lint: finds prohibited collection language in templates, call notes and
SMS replies.

The first layer of catalogue section 3.15 (ContentRules): a deterministic lexicon per
language, kept as data in compliance/lexicons/ so compliance staff can review it
without reading Python. Claim checks ("we will sue" needs an approved litigation
decision) and tone models are later layers and not done here.

    result = content_check("不还钱就通知你单位", language="zh-hans")
    result.ok                   # False
    result.categories           # frozenset({"third_party_exposure"})
    result.findings[0].start    # offsets index the original text

Templates that fail the lint cannot be activated; call notes that fail are flagged for
a supervisor; inbound SMS replies carry the finding in their webhook record. The
compliance gate reports findings with the reason code `content_prohibited` (see
`ContentFinding.as_reason`).

Two things keep lawful text clean (docs/compliance.md):
- negation: a match just after "we will not", 「不会」 is a reassurance, not a threat;
- reported speech: a collector's note quoting the customer (客户说“我要报警”, customer
  said "I'll call the police") is not the collector speaking, nor is a warning about
  people who pretend to be the police. Findings inside such spans are dropped.

`content_evaluate` measures the lint against the labelled set in
compliance/lexicons/evaluation.toml (`manage.py lint_evaluate`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
LEXICON_LANGUAGES = ("zh", "en")
EVALUATION_FILE = LEXICON_DIR / "evaluation.toml"
# How far back from a match to look for a negation ("we will not, under any
# circumstances, contact your employer"); the lexicon's `negation` regex decides which
# words may stand between the negation and the match.
NEGATION_LOOKBEHIND = 60

# Quotation marks that open and close a quoted span; a straight double quote toggles.
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》"}
_QUOTE_CLOSERS = set(_QUOTE_PAIRS.values())
# Where reported speech ends at quote depth 0: a sentence end, a semicolon, a line.
_SENTENCE_END = re.compile(r"[。！？；;!?\n]|\.(?=\s|$)")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"\n]*\"")


@dataclass(frozen=True)
class Category:
    code: str
    rules: tuple[str, ...]
    message_en: str
    message_zh: str
    # False for language that is prohibited whatever surrounds it (profanity).
    negatable: bool = True


@dataclass(frozen=True)
class Lexicon:
    language: str
    # (category code, compiled regex, `unless`): a match is dropped when `unless`
    # matches in the same sentence ("a visit only with your agreement").
    patterns: tuple[tuple[str, re.Pattern, re.Pattern | None], ...]
    negation: re.Pattern | None
    # A text without a match of `requires` (no Chinese character, no Latin letter)
    # cannot match any pattern of the lexicon, which is then skipped.
    requires: re.Pattern | None = None
    # Reported speech (see `_reported_spans`).
    attribution: re.Pattern | None = None
    after_quote: re.Pattern | None = None
    resume: re.Pattern | None = None


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
    pressure to borrow, private channels, harassment, collection fees and misleading
    reasons for contact in `text`.

    Every lexicon runs whatever `language` says: Chinese templates quote English
    product names and English notes quote what a Chinese-speaking customer was told,
    so trusting the declared language would let mixed text through. `language` (en,
    zh, zh-hans, ...) only picks the language of `ContentFinding.message`.
    """
    if language is not None and not _known_language(language):
        raise ValueError(f"Unknown language {language!r}; use en or zh(-hans).")
    if not text:
        return ContentCheckResult(text=text, language=language, findings=())
    categories = _categories()
    lexicons = _lexicons()
    reported: list[tuple[int, int]] | None = None
    findings: list[ContentFinding] = []
    for lexicon in lexicons:
        if lexicon.requires is not None and not lexicon.requires.search(text):
            continue
        spans: dict[str, list[tuple[int, int]]] = {}
        for code, pattern, unless in lexicon.patterns:
            negatable = categories[code].negatable
            for match in pattern.finditer(text):
                start, end = match.span()
                if end == start or (negatable and _negated(lexicon, text, start)):
                    continue
                if unless is not None and _in_sentence(unless, text, start, end):
                    continue
                if reported is None:
                    reported = _reported_spans(text, lexicons)
                if _inside(reported, start, end):
                    continue
                spans.setdefault(code, []).append((start, end))
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
    if lexicon.negation is None or start == 0:
        return False
    before = text[max(0, start - NEGATION_LOOKBEHIND) : start]
    return lexicon.negation.search(before) is not None


def _in_sentence(pattern: re.Pattern, text: str, start: int, end: int) -> bool:
    """Does `pattern` match in the sentence holding text[start:end]?"""
    first = 0
    for found in _SENTENCE_END.finditer(text, 0, start):
        first = found.end()
    after = _SENTENCE_END.search(text, end)
    last = after.start() if after else len(text)
    return pattern.search(text, first, last) is not None


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _reported_spans(text: str, lexicons: Iterable[Lexicon]) -> list[tuple[int, int]]:
    """Spans of `text` that report someone else's words, not the author's.

    - After an attribution to the customer or another person (客户说, 客户担心,
      customer said, customer called me ...), or a fraud-warning frame (自称公检法,
      people pretending to be the police): up to the end of the sentence at quote
      depth 0, or until the author speaks again (我已告知, I explained).
    - A quotation followed by its attribution ("…," the customer said / ”客户说).
    A quotation with no attribution is not exempt: a template cannot hide a threat in
    quotation marks, and neither can a collector quoting themselves.
    """
    spans: list[tuple[int, int]] = []
    resumes = [lx.resume for lx in lexicons if lx.resume is not None]
    for lexicon in lexicons:
        if lexicon.attribution is not None:
            for match in lexicon.attribution.finditer(text):
                spans.append((match.end(), _speech_end(text, match.end(), resumes)))
        if lexicon.after_quote is not None:
            for quoted in _QUOTED.finditer(text):
                if lexicon.after_quote.match(text, quoted.end()):
                    spans.append(quoted.span())
    return spans


def _speech_end(text: str, start: int, resumes: list[re.Pattern]) -> int:
    """End of reported speech starting at `start` (see `_reported_spans`)."""
    stack: list[str] = []
    straight = False
    i, n = start, len(text)
    while i < n:
        ch = text[i]
        if ch in _QUOTE_PAIRS:
            stack.append(_QUOTE_PAIRS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch == '"':
            straight = not straight
        elif not stack and not straight:
            if _SENTENCE_END.match(text, i):
                return i
            if any(r.match(text, i) for r in resumes):
                return i
        i += 1
    return n


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


_MACRO = re.compile(r"(?<!\(\?P)<(\w+)(?::(\d+))?>")


def _expand(source: str, macros: dict[str, str]) -> str:
    """Replace <name> by the lexicon's macro `name` and <name:N> by up to N repeats
    of it (fewest first): `<gap:4>` is "up to four words" in en, characters in zh."""

    def replace(match: re.Match) -> str:
        name, count = match.group(1), match.group(2)
        if name not in macros:
            raise ValueError(f"Unknown lexicon macro <{name}> in {source!r}.")
        body = macros[name]
        return f"(?:{body}){{0,{count}}}?" if count else f"(?:{body})"

    return _MACRO.sub(replace, source)


def _compile(
    source: str, flags: int, macros: dict[str, str] | None = None
) -> re.Pattern:
    # Lexicon conventions (see the file headers): <name> is a macro, " ?" is optional
    # whitespace, " " is any run of whitespace, and ' matches a curly apostrophe too
    # (inside [...] write \x27 and \s instead).
    if macros:
        source = _expand(source, macros)
    source = source.replace(" ?", r"\s*").replace(" ", r"\s+").replace("'", "['’]")
    try:
        return re.compile(source, flags)
    except re.error as exc:
        raise ValueError(f"Bad lexicon pattern ({exc}): {source}") from None


def _compile_any(
    sources: str | list[str] | None, flags: int, macros: dict[str, str]
) -> re.Pattern | None:
    if not sources:
        return None
    if isinstance(sources, str):
        sources = [sources]
    return _compile("|".join(f"(?:{s})" for s in sources), flags, macros)


@cache
def _categories() -> dict[str, Category]:
    data = tomllib.loads((LEXICON_DIR / "categories.toml").read_text("utf-8"))
    return {
        code: Category(
            code=code,
            rules=tuple(entry["rules"]),
            message_en=entry["message_en"],
            message_zh=entry["message_zh"],
            negatable=entry.get("negatable", True),
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
        # Macros may use the macros defined before them.
        macros: dict[str, str] = {}
        for name, body in data.get("macros", {}).items():
            macros[name] = _expand(body, macros)
        unless = {
            name: _compile(source, flags, macros)
            for name, source in data.get("unless", {}).items()
        }
        patterns = []
        for code, sources in data["patterns"].items():
            if code not in categories:
                raise ValueError(f"{language}.toml: unknown category {code!r}.")
            for source in sources:
                # A pattern is a regex, or {re = "...", unless = "<name>"}.
                entry = source if isinstance(source, dict) else {"re": source}
                name = entry.get("unless")
                if name is not None and name not in unless:
                    raise ValueError(f"{language}.toml: unknown `unless` {name!r}.")
                patterns.append(
                    (
                        code,
                        _compile(entry["re"], flags, macros),
                        unless[name] if name else None,
                    )
                )
        speech = data.get("reported_speech", {})
        lexicons.append(
            Lexicon(
                language=language,
                patterns=tuple(patterns),
                negation=_compile_any(data.get("negation"), flags, macros),
                requires=re.compile(data["requires"]) if "requires" in data else None,
                attribution=_compile_any(speech.get("attribution"), flags, macros),
                after_quote=_compile_any(speech.get("after_quote"), flags, macros),
                resume=_compile_any(speech.get("resume"), flags, macros),
            )
        )
    return tuple(lexicons)


# --- evaluation ------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationPhrase:
    text: str
    language: str
    category: str  # a category code, or "ok" for lawful text
    slice: str


@dataclass
class CategoryFigures:
    """One category on the evaluation set: recall over the phrases labelled with it,
    false blocks over all lawful phrases."""

    code: str
    labelled: int = 0  # prohibited phrases labelled with this category
    found: int = 0  # ... whose findings include it
    blocked: int = 0  # ... with any finding at all (the text would be refused)
    false_blocks: int = 0  # lawful phrases on which this category fired

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


@dataclass
class EvaluationReport:
    lawful: int = 0
    false_blocked: int = 0  # lawful phrases with any finding
    categories: dict[str, CategoryFigures] = field(default_factory=dict)
    misses: list[tuple[EvaluationPhrase, frozenset[str]]] = field(default_factory=list)
    false_blocks: list[tuple[EvaluationPhrase, tuple[ContentFinding, ...]]] = field(
        default_factory=list
    )

    @property
    def labelled(self) -> int:
        return sum(c.labelled for c in self.categories.values())

    @property
    def found(self) -> int:
        return sum(c.found for c in self.categories.values())

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0

    @property
    def false_block_rate(self) -> float:
        return self.false_blocked / self.lawful if self.lawful else 0.0

    def false_block_rate_of(self, code: str) -> float:
        return self.categories[code].false_blocks / self.lawful if self.lawful else 0.0


def evaluation_load(
    path: Path | None = None,
    *,
    slices: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> list[EvaluationPhrase]:
    """The labelled phrases of compliance/lexicons/evaluation.toml (or `path`)."""
    data = tomllib.loads((path or EVALUATION_FILE).read_text("utf-8"))
    wanted_slices = set(slices) if slices else None
    wanted_languages = set(languages) if languages else None
    known = set(_categories()) | {"ok"}
    phrases = []
    for entry in data["set"]:
        category, language = entry["category"], entry["lang"]
        if category not in known:
            raise ValueError(f"evaluation set: unknown category {category!r}.")
        if language not in LEXICON_LANGUAGES:
            raise ValueError(f"evaluation set: unknown language {language!r}.")
        if wanted_slices and entry["slice"] not in wanted_slices:
            continue
        if wanted_languages and language not in wanted_languages:
            continue
        phrases.extend(
            EvaluationPhrase(text, language, category, entry["slice"])
            for text in entry["texts"]
        )
    return phrases


def content_evaluate(phrases: Iterable[EvaluationPhrase]) -> EvaluationReport:
    """Run the lint over labelled phrases: recall per category and false blocks."""
    report = EvaluationReport(
        categories={code: CategoryFigures(code) for code in _categories()}
    )
    for phrase in phrases:
        result = content_check(phrase.text, phrase.language)
        if phrase.category == "ok":
            report.lawful += 1
            if not result.ok:
                report.false_blocked += 1
                report.false_blocks.append((phrase, result.findings))
                for code in result.categories:
                    report.categories[code].false_blocks += 1
            continue
        figures = report.categories[phrase.category]
        figures.labelled += 1
        if phrase.category in result.categories:
            figures.found += 1
        else:
            report.misses.append((phrase, result.categories))
        if not result.ok:
            figures.blocked += 1
    return report
