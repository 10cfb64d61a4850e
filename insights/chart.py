"""The digest's chart: handoffs per day for the top topics, as a PNG (matplotlib, Agg, no display)."""

from __future__ import annotations

import io
from datetime import date

from insights.digest import CHART_TOPICS, Digest

COLOURS = ["#2f6fdf", "#e8793a", "#2a9d6f", "#c8424b", "#8a5cd0", "#9aa1ab"]


def handoffs_chart(digest: Digest, *, top: int = CHART_TOPICS) -> bytes | None:
    """PNG bytes of stacked daily bars (top topics, the rest as "Other"); None when there is nothing to draw."""
    topics = [t for t in digest.topics if t.count and not t.other][:top]
    if not topics or not digest.days:
        return None
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    listed = {t.id for t in topics}
    rest = [0] * len(digest.days)
    for t in digest.topics:
        if t.id not in listed:
            rest = [a + b for a, b in zip(rest, t.daily, strict=True)]
    series = [(t.name, t.daily) for t in topics] + ([("Other topics", rest)] if any(rest) else [])

    labels = [date.fromisoformat(d).strftime("%a %d") for d in digest.days]
    fig = Figure(figsize=(8, 4.2), dpi=110)
    ax = fig.subplots()
    bottom = [0] * len(labels)
    for i, (name, values) in enumerate(series):
        colour = COLOURS[i] if i < len(topics) else COLOURS[-1]
        ax.bar(labels, values, bottom=bottom, color=colour, label=_short(name), width=0.7, edgecolor="white", linewidth=0.5)
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    ax.set_title("Handoffs per day by topic", loc="left", fontsize=12, fontweight="bold")
    ax.set_ylabel("handoffs")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if len(labels) > 10:
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
