"""Charts for printed documents: bar charts drawn as PNG pictures with Pillow (a PDF or a Word file carries no
JavaScript). Colours differ in lightness too, so a black-and-white copy still tells the series apart."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from .layout import FONT_FILES, FONTS
from .model import vn_decimal, vn_int

DPI = 200
#: Dark, light and middle tones: distinct in colour and in grey.
PALETTE = ("#1f4e79", "#9dc3e6", "#c55a11", "#7f7f7f")


@dataclass
class Series:
    name: str
    values: list[float | int | None]
    color: str = ""


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def _font(pt: float, bold: bool = False):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONTS / FONT_FILES[(bold, False)]), round(pt / 72 * DPI))


def _label(value, percent: bool) -> str:
    if value is None:
        return ""
    if percent:
        return vn_decimal(value, 2)
    return vn_int(value) if float(value).is_integer() else vn_decimal(value, 1)


def _nice_ceiling(value: float) -> float:
    """The scale's top: 1, 2, 2.5, 5 or 10 times a power of ten, at least `value` (grid lines at quarters)."""
    import math

    power = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    for step in (1, 2, 2.5, 4, 5, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _wrap(draw, text: str, font, width: float, lines: int = 2) -> list[str]:
    """`text` in at most `lines` lines of `width` pixels; the last shortened with "…" if it is still too wide."""
    words, out, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width and len(out) < lines - 1:
            out.append(current)
            current = word
        else:
            current = candidate
    out.append(current)
    last = out[-1]
    while draw.textlength(last, font=font) > width and len(last) > 3:
        last = last[:-2].rstrip() + "…"
    out[-1] = last
    return out


def bar_chart(
    title: str,
    labels: list[str],
    bars: list[Series],
    *,
    line: Series | None = None,
    width_mm: float = 80,
    height_mm: float = 55,
    percent: bool = False,
    values_on_bars: bool = True,
) -> bytes:
    """Grouped bars (one group per label, one bar per series), an optional line (a pace or a target) over them,
    the title above and a legend below. Values are printed on the bars in the Vietnamese format."""
    from PIL import Image, ImageDraw

    W, H = _px(width_mm), _px(height_mm)
    img = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(img)
    f_title, f_text, f_small = _font(9, bold=True), _font(7.5), _font(6.5)

    # Title, centred, shortened if it is wider than the picture.
    text = title
    while draw.textlength(text, font=f_title) > W - 8 and len(text) > 4:
        text = text[:-2].rstrip() + "…"
    draw.text(((W - draw.textlength(text, font=f_title)) / 2, 4), text, fill="black", font=f_title)
    # Room for the values printed above the highest bars.
    top = 4 + f_title.size + 8 + (f_small.size + 4 if values_on_bars else 0)

    # Legend at the bottom.
    legend = [(s.name, s.color or PALETTE[i % len(PALETTE)], "bar") for i, s in enumerate(bars)]
    if line is not None:
        legend.append((line.name, line.color or "black", "line"))
    legend_h = f_small.size + 8
    x = 6
    y_leg = H - legend_h + 2
    for name, color, kind in legend:
        if kind == "bar":
            draw.rectangle([x, y_leg + 2, x + 14, y_leg + f_small.size - 2], fill=color, outline="black")
        else:
            draw.line([x, y_leg + f_small.size // 2, x + 14, y_leg + f_small.size // 2], fill=color, width=3)
        x += 18
        draw.text((x, y_leg), name, fill="black", font=f_small)
        x += draw.textlength(name, font=f_small) + 14

    # Scale.
    values = [v for s in bars for v in s.values if v is not None]
    if line is not None:
        values += [v for v in line.values if v is not None]
    high = max([float(v) for v in values] + [0])
    if percent:
        high = 100.0
    high = high or 1.0
    if not percent:
        high = _nice_ceiling(high * 1.08)
    label_w = max(draw.textlength(_label(high, percent), font=f_small), draw.textlength("0", font=f_small))
    left, right = 8 + label_w + 4, W - 6
    label_lines = [_wrap(draw, label, f_text, (W - left) / max(len(labels), 1) - 4) for label in labels]
    rows = max((len(lines) for lines in label_lines), default=1)
    bottom = H - legend_h - rows * (f_text.size + 2) - 8
    plot_h = bottom - top

    def y_of(v) -> float:
        return bottom - plot_h * float(v) / high

    # Grid: four steps.
    for i in range(5):
        v = high * i / 4
        y = y_of(v)
        draw.line([left, y, right, y], fill="#d9d9d9" if i else "black", width=1)
        t = _label(round(v, 2) if percent else round(v), percent)
        draw.text(
            (left - 4 - draw.textlength(t, font=f_small), y - f_small.size / 2), t, fill="black", font=f_small
        )
    draw.line([left, top, left, bottom], fill="black", width=1)

    groups = max(len(labels), 1)
    group_w = (right - left) / groups
    inner = group_w * 0.8
    bar_w = inner / max(len(bars), 1)
    for g in range(len(labels)):
        gx = left + g * group_w + (group_w - inner) / 2
        for i, series in enumerate(bars):
            v = series.values[g] if g < len(series.values) else None
            if v is None:
                continue
            x0, x1 = gx + i * bar_w, gx + (i + 1) * bar_w - 1
            color = series.color or PALETTE[i % len(PALETTE)]
            draw.rectangle([x0, y_of(v), x1, bottom], fill=color, outline="black")
            if values_on_bars and bar_w >= draw.textlength(_label(v, percent), font=f_small) * 0.9:
                t = _label(v, percent)
                tx = (x0 + x1) / 2 - draw.textlength(t, font=f_small) / 2
                draw.text((tx, y_of(v) - f_small.size - 1), t, fill="black", font=f_small)
        for k, t in enumerate(label_lines[g]):
            x = left + g * group_w + (group_w - draw.textlength(t, font=f_text)) / 2
            draw.text((x, bottom + 4 + k * (f_text.size + 2)), t, fill="black", font=f_text)
    if line is not None:
        points = [
            (left + g * group_w + group_w / 2, y_of(v))
            for g, v in enumerate(line.values[: len(labels)])
            if v is not None
        ]
        if len(points) > 1:
            draw.line(points, fill=line.color or "black", width=3)
        for x, y in points:
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=line.color or "black")

    out = BytesIO()
    img.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()
