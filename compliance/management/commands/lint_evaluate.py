"""Measure the content lint on the labelled evaluation set
(compliance/lexicons/evaluation.toml): recall and false-block rate per category and
overall, then per slice. With --check, exit 1 when recall is below --min-recall or
false blocks are above --max-false-blocks on the development slices (the thresholds the
test suite holds). Writes nothing.

    python manage.py lint_evaluate                       # the whole set
    python manage.py lint_evaluate --slice holdout4 -v 2   # one slice, with misses
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.content import content_evaluate, evaluation_load

MIN_RECALL = 0.98
MAX_FALSE_BLOCKS = 0.01
# The slices the lexicons were developed on; later slices are held out (see the
# evaluation file's header). holdout4 is the untouched one: never add it here.
DEVELOPMENT_SLICES = ("tuning", "holdout1", "holdout2", "holdout3")


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--slice",
            action="append",
            dest="slices",
            help="tuning or holdout (repeatable; default: all)",
        )
        parser.add_argument(
            "--lang", action="append", dest="languages", help="zh or en (repeatable)"
        )
        parser.add_argument("--file", help="another evaluation file (TOML)")
        parser.add_argument(
            "--check", action="store_true", help="exit 1 below the thresholds"
        )
        parser.add_argument("--min-recall", type=float, default=MIN_RECALL)
        parser.add_argument("--max-false-blocks", type=float, default=MAX_FALSE_BLOCKS)

    def handle(self, *args, **options):
        try:
            phrases = evaluation_load(
                Path(options["file"]) if options["file"] else None,
                slices=options["slices"],
                languages=options["languages"],
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read the evaluation set: {exc}") from None
        if not phrases:
            raise CommandError("No phrases match that slice and language.")
        report = content_evaluate(phrases)
        out = self.stdout.write
        out(
            f"{'category':<22} {'phrases':>7} {'found':>6} {'recall':>7} "
            f"{'blocked':>7} {'false blocks':>12} {'rate':>6}"
        )
        for code, c in report.categories.items():
            out(
                f"{code:<22} {c.labelled:>7} {c.found:>6} {c.recall:>7.1%} "
                f"{c.blocked:>7} {c.false_blocks:>12} "
                f"{report.false_block_rate_of(code):>6.1%}"
            )
        out(
            f"{'overall':<22} {report.labelled:>7} {report.found:>6} "
            f"{report.recall:>7.1%} {'':>7} {report.false_blocked:>12} "
            f"{report.false_block_rate:>6.1%}"
        )
        out(
            f"{len(phrases)} phrases: {report.labelled} prohibited, "
            f"{report.lawful} lawful."
        )
        slices = sorted({p.slice for p in phrases}, key=_slice_order)
        if len(slices) > 1:
            for name in slices:
                part = content_evaluate([p for p in phrases if p.slice == name])
                out(
                    f"  {name:<10} recall {part.recall:.1%} "
                    f"({part.found}/{part.labelled}), false blocks "
                    f"{part.false_block_rate:.1%} ({part.false_blocked}/{part.lawful})"
                )
        if options["verbosity"] >= 2:
            for phrase, found in report.misses:
                got = ", ".join(sorted(found)) or "nothing"
                out(f"  missed [{phrase.category}] {phrase.text}  (found: {got})")
            for phrase, findings in report.false_blocks:
                spans = "; ".join(f"{f.category} «{f.text}»" for f in findings)
                out(f"  false block [{phrase.language}] {phrase.text}  ({spans})")
        if options["check"]:
            gated = [p for p in phrases if p.slice in DEVELOPMENT_SLICES]
            gate = content_evaluate(gated) if gated else report
            if (
                gate.recall < options["min_recall"]
                or gate.false_block_rate > options["max_false_blocks"]
            ):
                raise CommandError(
                    f"Recall {gate.recall:.1%} (min {options['min_recall']:.0%}), "
                    f"false blocks {gate.false_block_rate:.1%} "
                    f"(max {options['max_false_blocks']:.0%}) on the development "
                    "slices."
                )


def _slice_order(name: str) -> tuple[int, str]:
    return (0 if name == "tuning" else 1, name)
