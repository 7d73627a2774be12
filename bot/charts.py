"""Charts for teachers' reports, drawn headless as PNG images."""

from __future__ import annotations

import io
import threading

from bot import i18n
from quiz.explain import clip
from storage.reports import BankReport, QuestionStats

MAX_BARS = 40  # more would be unreadable on a phone; the hardest are the ones worth seeing
WIDTH = 8.0  # inches; at DPI below, 800 pixels
BAR_HEIGHT = 0.3  # inches per question
TOP, BOTTOM = 0.5, 0.8  # inches for the title, and for the axis and its label
LEFT, RIGHT = 0.29, 0.97  # of the width: the left margin holds LABEL_LIMIT characters
DPI = 100
LABEL_LIMIT = 28  # characters of a question key on the axis

# matplotlib promises no thread safety, and reports render in worker threads.
_drawing = threading.Lock()


def accuracy_chart(report: BankReport) -> bytes:
    """A PNG of the share answered right per question, hardest at the top, at most MAX_BARS."""
    answered = report.answered
    shown = answered[:MAX_BARS]
    if not shown:
        raise ValueError("no question of this bank was answered: nothing to chart")
    # matplotlib neither joins Persian letters nor lays text right to left: such a chart keeps
    # English words (its caption, a message, is in the teacher's language).
    language = i18n.current()
    with i18n.speaking(i18n.DEFAULT if language.right_to_left else language), _drawing:
        if len(answered) > len(shown):
            title = i18n.t(
                "Share answered right, per question (the {shown} hardest of {answered})",
                shown=len(shown),
                answered=len(answered),
            )
        else:
            title = i18n.t("Share answered right, per question")
        return _bar_chart(title, shown)


def _bar_chart(title: str, questions: list[QuestionStats]) -> bytes:
    # Imported here: matplotlib takes about a second to load, which `quizbot run` should not
    # pay at start for a command few people use.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # At most 40 bars: 800 × 1330 pixels, well inside sendPhoto's limits (sum ≤ 10000,
    # ratio ≤ 20, 10 MB).
    height = TOP + BOTTOM + BAR_HEIGHT * max(len(questions), 3)
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(figure)  # Agg, set explicitly: no display, no pyplot global state
    # Fixed margins rather than tight_layout(), which would draw the whole figure twice.
    figure.subplots_adjust(left=LEFT, right=RIGHT, top=1 - TOP / height, bottom=BOTTOM / height)
    axes = figure.add_subplot()
    percents = [100 * (q.right or 0.0) for q in questions]
    rows = range(len(questions))  # positions, not labels: two clipped keys may read alike
    bars = axes.barh(rows, percents, color=[_colour(p) for p in percents])
    axes.set_yticks(rows, [clip(q.key, LABEL_LIMIT) for q in questions])
    # Numbers only, the same in every language; the axis says what they are.
    labels = [f"{p:.0f}% ({q.answers})" for p, q in zip(percents, questions, strict=True)]
    axes.bar_label(bars, labels=labels, padding=3)
    axes.set_ylim(len(questions) - 0.5, -0.5)  # hardest first, at the top
    axes.set_xlim(0, 118)  # room for the labels after a full bar
    axes.set_xticks(range(0, 101, 25))
    axes.set_xlabel(i18n.t("Share answered right, in percent (and how many answered)"))
    axes.set_title(title)
    image = io.BytesIO()
    figure.savefig(image, format="png")
    return image.getvalue()


def _colour(percent: float) -> str:
    """Red for the questions most got wrong, amber for the middling, green for the rest."""
    if percent < 50:
        return "#d9534f"
    return "#f0ad4e" if percent < 80 else "#5cb85c"
