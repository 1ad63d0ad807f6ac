"""The overview: open alerts by level and by code, and failures per day by code over 30 days
as a stacked bar chart drawn on the server (inline SVG: no script, no chart library, and it
reads the same with the CSP that forbids both).

Both read through the list functions (indexed Queries, never a Scan) with a read ceiling: a
merchant with more open alerts or failures than the ceiling sees "at least" figures, and the
page still answers in the same time. Exact counts at any volume need counters kept as alerts
change (see the README's console section)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from ordersync.alerts.listing import list_alerts
from ordersync.alerts.query import AlertQuery
from ordersync.core.clock import iso, now
from ordersync.history.listing import HistoryQuery, list_history

LEVELS = ("error", "warning", "pending")
MAX_PAGES = 5  # list pages (of 200) read per figure before it becomes "at least"
DAYS = 30
PALETTE = ("#b3261e", "#1f6feb", "#9a6700", "#6e40c9", "#1a7f37", "#bf3989", "#57606a")


@dataclass
class Counts:
    by_level: dict[str, int] = field(default_factory=dict)
    by_code: Counter[str] = field(default_factory=Counter)
    capped: bool = False


def open_alerts(merchant_id: str) -> Counts:
    """Open, not ignored alerts per level (one index each) and per code."""
    counts = Counts()
    for level in LEVELS:
        query = AlertQuery(level=level, status="open", ignored=False, columns=("code",), limit=200)
        seen = 0
        for _ in range(MAX_PAGES):
            page = list_alerts(merchant_id, query)
            seen += len(page.items)
            counts.by_code.update(row["code"] for row in page.items)
            if page.cursor is None:
                break
            query = query.model_copy(update={"cursor": page.cursor})
        else:
            counts.capped = True
        counts.by_level[level] = seen
    return counts


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    code: str
    count: int
    day: date
    colour: str
    href: str


@dataclass
class Chart:
    width: int
    height: int
    bar_width: float
    bars: list[Bar]
    legend: list[tuple[str, str]]
    days: list[tuple[float, str]]  # (x, label) under some bars
    peak: int
    total: int
    capped: bool


def failures_by_day(
    merchant_id: str, today: date | None = None
) -> tuple[Counter[tuple[date, str]], bool]:
    """(day, code) -> failed responses, from the history list (every response), last 30 days;
    and whether the read ceiling cut it short."""
    today = today or now().date()
    start = datetime.combine(today - timedelta(days=DAYS - 1), time(0), tzinfo=UTC)
    query = HistoryQuery(
        level="error", created_after=start, columns=("createdAt", "code"), limit=200
    )
    found: Counter[tuple[date, str]] = Counter()
    for _ in range(MAX_PAGES):
        page = list_history(merchant_id, query, today=today)
        for row in page.items:
            found[(datetime.fromisoformat(row["createdAt"]).date(), row["code"])] += 1
        if page.cursor is None:
            return found, False
        query = query.model_copy(update={"cursor": page.cursor})
    return found, True


def chart(failures: Counter[tuple[date, str]], today: date, *, capped: bool = False) -> Chart:
    """Stacked bars, one per day (oldest on the left), a segment per code, each a link to that
    code's failures that day in the history list."""
    width, height, left, bottom = 720, 220, 32, 24
    slot = (width - left) / DAYS
    per_code = Counter[str]()
    for (_, code), count in failures.items():
        per_code[code] += count
    codes = [code for code, _ in per_code.most_common()]
    colours = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(codes)}
    per_day = Counter[date]()
    for (day, _), count in failures.items():
        per_day[day] += count
    peak = max(per_day.values(), default=0)
    scale = (height - bottom - 8) / peak if peak else 0
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for n in range(DAYS):
        day = today - timedelta(days=DAYS - 1 - n)
        x = left + n * slot
        if n % 5 == 4 or n == DAYS - 1:
            labels.append((x + slot / 2, day.strftime("%d %b")))
        y = float(height - bottom)
        for code in codes:
            count = failures.get((day, code), 0)
            if not count:
                continue
            tall = max(1.0, count * scale)
            y -= tall
            since = datetime.combine(day, time(0), tzinfo=UTC)
            link = urlencode(
                {
                    "code": code,
                    "level": "error",
                    "createdAfter": iso(since),
                    "createdBefore": iso(since + timedelta(days=1)),
                }
            )
            bars.append(Bar(x + 1, y, tall, code, count, day, colours[code], f"history?{link}"))
    return Chart(
        width,
        height,
        max(1.0, slot - 2),
        bars,
        [(code, colours[code]) for code in codes],
        labels,
        peak,
        sum(per_day.values()),
        capped,
    )
