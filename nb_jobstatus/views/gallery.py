"""The gallery: one card per file (class ``nbjs-asset``), rendered from ``AssetView`` s.

Images show an embedded thumbnail (SVG only ever through ``<img>``, where its scripts cannot
run); audio an ``<audio controls>`` player, video a ``<video controls preload="metadata">``
player beside its link; other files where their cached copy is. Cards are inline blocks, so
the layout survives the sanitizer of a reopened notebook (which drops ``gap`` and wrapping).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import _format as fmt
from . import _html as h
from . import palette as pal
from .assets import AssetView, FileFacts
from .model import Gallery

FOLD_AFTER = 12  # cards shown before the rest fold into a <details>
CARD_STYLE = (
    f"display: inline-block; vertical-align: top; width: {pal.THUMB_SIDE}px; "
    f"box-sizing: border-box; margin: 0 10px 10px 0; padding: 6px; "
    f"border: 1px solid {pal.BORDER_COLOR}; border-radius: 6px; text-align: left"
)
THUMB_STYLE = (
    f"min-height: 96px; background-color: {pal.CODE_BG}; border-radius: 4px; "
    "overflow: hidden; text-align: center"
)
IMG_STYLE = "display: block; margin: 0 auto; max-width: 100%; max-height: 260px; height: auto"
NOTE = f"{pal.SMALL}; display: block; padding: 36px 8px"
PLAYER_STYLE = "display: block; width: 100%; margin: 0"


def card_html(asset: AssetView, owner: str = "") -> str:
    """One card: the job it belongs to (in a batch), the picture or player, the caption."""
    return (
        f'<div class="nbjs-asset" style="{CARD_STYLE}">{owner}'
        f'<div class="nbjs-thumb" style="{THUMB_STYLE}">{picture(asset)}</div>'
        f'<div class="nbjs-caption" style="{pal.SMALL}; margin-top: 5px">{caption(asset)}</div>'
        "</div>"
    )


def picture(asset: AssetView) -> str:
    if asset.pending:
        return f'<span class="nbjs-pending" style="{NOTE}">{h.esc(asset.pending)}</span>'
    if asset.kind == "image":
        if not asset.thumbnail:
            return f'<span style="{NOTE}">no preview</span>'
        alt = asset.id or f"file {asset.number}"
        backdrop = (
            "" if asset.thumbnail.startswith("data:image/jpeg") else "; background-color: #fff"
        )
        return (
            f'<img src="{h.esc(asset.thumbnail)}" alt="{h.esc(alt)}" title="{h.esc(alt)}" '
            f'style="{IMG_STYLE}{backdrop}">'
        )
    if asset.kind in ("audio", "video"):
        return player(asset)
    label = f"{asset.files[0].format or ''} file".strip()
    return f'<span style="{NOTE}; font-size: 13px">{h.esc(label)}</span>'


def player(asset: AssetView) -> str:
    """``<audio controls>`` or ``<video controls preload="metadata">`` and its link."""
    label = "▶ video" if asset.kind == "video" else "♪ audio"
    opener = h.link(asset.open_link, label) if asset.open_link else h.esc(label)
    if not asset.player:
        return f'<span style="{NOTE}; font-size: 13px">{opener}</span>'
    tag = asset.kind
    height = "; max-height: 200px" if tag == "video" else "; height: 40px; margin-top: 28px"
    return (
        f'<{tag} class="nbjs-player" controls preload="metadata" src="{h.esc(asset.player)}" '
        f'style="{PLAYER_STYLE}{height}"></{tag}>'
        f'<div style="{pal.SMALL}; padding: 2px">{opener}</div>'
    )


def caption(asset: AssetView) -> str:
    """Dimensions, the file(s) and their sizes; id and links; then the warning or error."""
    lines = [facts_line(asset), *_second_files(asset.files), id_line(asset)]
    if asset.cached:
        lines.append(f"cached as {h.code(asset.cached, wrap=True)}; job.save(dir) copies it")
    html = "".join(f"<div>{line}</div>" for line in lines if line)
    if asset.warning:
        html += (
            f'<div class="nbjs-warning" style="color: {pal.WARN}">⚠ {h.esc(asset.warning)}</div>'
        )
    if asset.error:
        html += f'<div class="nbjs-error" style="color: {pal.ERROR}">✖ {h.esc(asset.error)}</div>'
    return html


def facts_line(asset: AssetView) -> str:
    """``<span class="nbjs-dims">1080 × 1080 px</span> · PNG · 183 KB`` (``(reported)`` until
    the file is measured); for two files the first is the display copy."""
    parts = []
    if asset.dims:
        note = (
            "" if asset.measured else ' <span title="as the provider reports it">(reported)</span>'
        )
        parts.append(
            f'<span class="nbjs-dims" style="font-weight: 600">{h.esc(asset.dims)}</span>{note}'
        )
    elif asset.kind != "image":
        parts.append(h.esc(asset.kind))
    parts.append(file_words(asset.files[0]))
    if asset.duration is not None:
        parts.append(h.esc(fmt.duration(asset.duration)))
    return " · ".join(part for part in parts if part)


def file_words(facts: FileFacts) -> str:
    """``display copy: WEBP · 32 KB`` (or ``PNG · 183 KB`` for the one file)."""
    words = [w for w in (facts.format, fmt.size(facts.size) if facts.size else None) if w]
    text = " · ".join(words) or ("size unknown" if facts.role else "")
    return h.esc(f"{facts.role}: {text}" if facts.role else text)


def _second_files(files: Sequence[FileFacts]) -> list[str]:
    return [file_words(facts) for facts in files[1:]]


def id_line(asset: AssetView) -> str:
    """The file id, the variant type, and the edit / original links."""
    parts = []
    if asset.id:
        parts.append(h.code(asset.id, wrap=True))
    if asset.variant:
        parts.append(h.esc(asset.variant))
    pairs = (("edit", asset.edit_url), ("original", asset.original_link))
    parts.append(h.links(pairs, css="nbjs-asset-links"))
    return " · ".join(part for part in parts if part)


def grid_html(cards: Sequence[str], *, fold: bool = True, more: int = 0) -> str:
    """The cards in a ``nbjs-grid``; past ``FOLD_AFTER`` the rest fold; ``more`` not shown."""
    shown, folded = (cards[:FOLD_AFTER], cards[FOLD_AFTER:]) if fold else (cards, [])
    html = f'<div class="nbjs-grid" style="margin-top: 6px">{"".join(shown)}</div>'
    if folded:
        inner = f'<div class="nbjs-grid">{"".join(folded)}</div>'
        html += h.details(f"{fmt.plural(len(folded), 'more file')}", inner)
    if more:
        html += h.muted(f"and {more:,} more not shown here; job.save(dir) writes them all")
    return html


def output_html(output: str | None) -> str:
    """Other result output as compact, escaped JSON (class ``nbjs-output``)."""
    if not output:
        return ""
    return (
        f'<div class="nbjs-output" style="{pal.MUTED}; margin-top: 4px">other output:'
        f"{h.pre(output, max_height='160px')}</div>"
    )


def gallery_html(gallery: Gallery, links: Sequence[tuple[str, str]], *, test_mode: bool = False,
                 fold: bool = True) -> str:  # fmt: skip
    """One job's gallery (class ``nbjs-gallery``): its links, the cards, other output."""
    head = h.links(links, style=f"{pal.MUTED}; display: block; margin-bottom: 4px")
    if test_mode:
        head = (
            f'<div class="nbjs-test" style="display: inline-block; color: {pal.WARN}; '
            f"border: 1px solid {pal.WARN}; border-radius: 9px; padding: 0 8px; font-size: 11px; "
            f'margin: 2px 0 6px">test key: mock result</div>{head}'
        )
    cards = [card_html(asset) for asset in gallery.assets]
    body = grid_html(cards, fold=fold, more=gallery.more) if cards else ""
    if not gallery.count:
        body = f'<div style="{pal.SMALL}; padding: 4px 0">no files in the result</div>'
    return (
        f'<div class="nbjs-gallery" style="margin: 8px 0 4px">{head}{body}'
        f"{output_html(gallery.output)}</div>"
    )


def list_html(gallery: Gallery, links: Sequence[tuple[str, str]]) -> str:
    """Without thumbnails (``--no-images``): a line per file with its facts and links."""
    rows = "".join(
        f'<div class="nbjs-asset" style="{pal.MUTED}">{facts_line(asset)}'
        f"{''.join(' · ' + w for w in _second_files(asset.files))} {id_line(asset)}</div>"
        for asset in gallery.assets
    )
    if gallery.more:
        rows += h.muted(f"and {gallery.more:,} more not shown here")
    if not gallery.count:
        rows = f'<div style="{pal.SMALL}">no files in the result</div>'
    head = h.links(links, style=f"{pal.MUTED}; display: block")
    tail = output_html(gallery.output)
    return f'<div class="nbjs-gallery" style="margin-top: 6px">{head}{rows}{tail}</div>'
