"""The form boundary of the data-entry pages: run one write of `eet` in one transaction when a form is
submitted, and show what it refused next to the field it names.

A form's submit button calls `submit` as its on_click callback, before the page is drawn again: on
success the form's inputs are cleared, on a refusal they are kept and each FieldError is stored under
the form's key, so `field_error` can mark the widget below which it is drawn. The refusals are kept
as they come from `eet` (a catalogue key with parameters, see eet.texts.messages) and rendered when drawn,
in the page's language. Messages pass through `plain`, so that what a user typed is shown as text,
never as markdown or HTML.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import streamlit as st

import ui
from eet import texts
from eet.accounts.access import AccessDenied
from eet.store import session_scope
from eet.texts import formatting as fmt
from eet.texts import t
from eet.texts.messages import Localised
from eet.entry import RuleError

# A number as eet.texts.formatting writes it: 1.234 / 1,234, 98,2%, € 12.500, +3 / −2, 0 %-punt, a suppressed <5.
_NUMBER = re.compile(r"^(<|>|≥|≤)?[+\-−]?(€\s?)?[+\-−]?\d[\d.,]*\s?(%|%-punt|pt)?$")  # € −4.500 too
_BLANK = ("", "–", "-", None)
_BAND = re.compile(r"^\d{1,3}\s?[–-]\s?\d{1,3}\s?%$")  # a withheld rate's band, 91–100%


def plain(text: Any) -> str:
    """Text safe for st.markdown/st.error and a cell of st.table: eet.texts.formatting.plain of its
    text (every Markdown and HTML character escaped, no address made into a link); 0 stays "0"."""
    return fmt.plain(str(text))


def errors(form: str) -> dict[str, list[Localised]]:
    """The refusals of the form's last submit by field name ("_denied" for an AccessDenied)."""
    return st.session_state.get(f"_errors_{form}", {})


def message(form: str, field: str, lang: str | None = None) -> str | None:
    """The refusal of one field in the page's language (several joined by '; '), or None."""
    found = errors(form).get(field)
    if not found:
        return None
    return "; ".join(error.text(lang or ui.current_language()) for error in found)


def submit(form: str, write: Callable, *args, fields: dict[str, str] | None = None,
           values: Callable[[], dict] | None = None, done: str | None = None,
           clear: tuple[str, ...] = (), **kwargs) -> None:
    """on_click of a form's submit button. `write(session, actor, *args, [values()], **kwargs)`.
    `fields` maps a FieldError's field to another field name of this form (e.g. a batch's ref)."""
    st.session_state.pop(f"_errors_{form}", None)
    st.session_state.pop(f"_done_{form}", None)
    try:
        call_args = (*args, values()) if values is not None else args
        with session_scope(ui.engine()) as session:
            result = write(session, ui.actor(), *call_args, **kwargs)
    except RuleError as exc:
        marked: dict[str, list[Localised]] = {}
        for error in exc.errors:
            marked.setdefault((fields or {}).get(error.field, error.field), []).append(error)
        st.session_state[f"_errors_{form}"] = marked
        return
    except AccessDenied as exc:
        st.session_state[f"_errors_{form}"] = {"_denied": [exc]}
        return
    st.session_state[f"_done_{form}"] = (done or "{result}").format(result=result)
    # Set to empty rather than dropped: a dropped key leaves the browser showing what was typed.
    for key in clear:
        current = st.session_state.get(key)
        st.session_state[key] = "" if isinstance(current, str) else False if isinstance(current, bool) else None


class Form:
    """The widgets of one form, each drawn with its refusal right below it, in the same column.

    `f = Form("factor", "fc", lang)`; `f.field(c1.date_input, "observed_on", value=None)` draws
    `c1.date_input(t("observed_on"), value=None, key="fc_observed_on")` and, below it, the refusal of
    the field "observed_on" of the form's last submit. The widget's key is `<prefix>_<name>`, where
    `values(prefix, names)` reads the values for the write."""

    def __init__(self, name: str, prefix: str, lang: str):
        self.name, self.prefix, self.lang = name, prefix, lang
        self.labels: dict[str, str] = {}  # a field's label key, where it is not the field's name

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def field(self, widget: Callable, name: str, *args, label: str | None = None, key: str | None = None,
              **kwargs) -> Any:
        """`widget` is a Streamlit input bound to where it stands (`st.text_input`, `c2.selectbox`);
        `label` a catalogue key (default: the field's name); `key` the widget's, when not the usual."""
        self.labels[name] = label or name
        value = widget(t(label or name, self.lang), *args, key=key or self.key(name), **kwargs)
        self.error(name, getattr(widget, "__self__", st))
        return value

    def error(self, name: str, where: Any = st) -> None:
        """The refusal of one field (also one the form draws no widget for), in `where`, naming the
        field ("Kenmerk: is verplicht", WCAG 3.3.1: a screen reader that reads the message alone
        knows its field). Drawn right below the field's widget, ui.style's script ties it to that
        widget (aria-invalid, aria-describedby)."""
        text = message(self.name, name, self.lang)
        if text:
            where.error(plain(f"{field_label(self.labels.get(name, name), self.lang)}: {text}"), icon="⚠️")

    def save_button(self, write: Callable, names: tuple[str, ...], clear: bool | tuple[str, ...] = True,
                    **kwargs) -> None:
        """The form's primary "save" button: `write(session, actor, values)` gets the values of the
        fields `names`. After a save, the widgets of `clear` are emptied: all of `names` (True), none
        (False) or the fields named. Other keyword arguments go to `submit` (`fields`, `done`)."""
        emptied = names if clear is True else clear or ()
        st.form_submit_button(
            t("save", self.lang), type="primary", on_click=submit, args=(self.name, write),
            kwargs={"values": lambda: values(self.prefix, names),
                    "clear": tuple(self.key(name) for name in emptied), **kwargs})

    def outcome(self, known_fields: tuple[str, ...] = ()) -> None:
        """What the last submit saved or refused (`outcome`)."""
        outcome(self.name, self.lang, known_fields)

    def reload_button(self, on_click: Callable, *args) -> None:
        """After a refusal because someone else saved in between: a button that loads the row afresh."""
        if "version" in errors(self.name):
            st.button(t("reload", self.lang), key=self.key("reload"), on_click=on_click, args=args)


def field_error(form: str, field: str, lang: str | None = None) -> None:
    """The refusal of one field, drawn below its widget, in the page's language."""
    Form(form, "", lang or ui.current_language()).error(field)


def field_label(field: str, lang: str) -> str:
    """A field's name as the forms label it, for a refusal of a field the form does not draw."""
    return t(field, lang) if texts.has(field) else field


def outcome(form: str, lang: str, known_fields: tuple[str, ...] = ()) -> None:
    """After a submit: what was saved, or that nothing was and why (errors on fields not drawn in
    the form are listed here too), in the page's language."""
    found = errors(form)
    if found:
        if "_denied" in found:
            st.error(t("denied", lang, why=plain(message(form, "_denied", lang))))
            return
        if "version" in found:
            st.error(t("version_conflict", lang) + "\n\n" + plain(message(form, "version", lang)), icon="🔁")
        else:
            st.error(t("refused", lang))
        for field in found:
            if field not in known_fields and field != "version":
                st.error(f"{plain(field_label(field, lang))}: {plain(message(form, field, lang))}")
    done = st.session_state.get(f"_done_{form}")
    if done:
        st.success(t("saved", lang, what=plain(done)))


def columns(count: int, min_width: int = 240, gap: str = "small") -> list:
    """`count` cells side by side that wrap onto further rows where the page is narrower than about
    count × min_width px (a tablet at 820 px with the sidebar open), so that a date field or a table
    is never squeezed until it is cut off; st.columns only stacks below 640 px. Used like st.columns:
    `left, right = fx.columns(2, 380)`."""
    grid = st.grid(count, min_column_width=min_width, gap=gap)
    return [grid.cell() for _ in range(count)]


def numbers_right(data: dict[str, list] | list[dict]) -> dict:
    """column_config for st.dataframe that right-aligns every column holding numbers only, also
    when they come as text (Dutch separators, a sign, %, €, a suppressed "<5"), so that a column of
    figures reads as one; st.dataframe aligns only numeric columns, and the pages format theirs."""
    columns: dict[str, list] = data if isinstance(data, dict) else {
        name: [row.get(name) for row in data] for name in (data[0] if data else {})}

    # A figure withheld from a viewer ("in bewoond of beschikbaar", "niet getoond", a band 91–100%)
    # stands in a column of figures: it leaves the column right-aligned (second walk-through).
    withheld = {t(key, lang) for key in ("combined_cell", "rate_withheld", "funnel_withheld_bar")
                for lang in texts.LANGUAGES}
    blank = lambda cell: cell in _BLANK or cell in withheld or bool(_BAND.match(str(cell)))  # noqa: E731
    return {name: st.column_config.Column(alignment="right") for name, cells in columns.items()
            if any(not blank(cell) for cell in cells) and all(blank(cell) or _is_number(cell) for cell in cells)}


_DATE = re.compile(r"^(\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2})$")
_HOLDS_DATE = re.compile(r"\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}")


def _is_number(cell: Any) -> bool:
    if isinstance(cell, bool):
        return False
    return isinstance(cell, (int, float)) or bool(_NUMBER.match(str(cell).strip()))


def unbroken(text: Any) -> str:
    """A cell as st.table shows it (markdown escaped, `plain`), with a date (30-05-2021) and a
    number with its unit (0 %-punt) never broken over two lines: non-breaking hyphens between
    digits and in "%-punt", a non-breaking space before the unit (on the screen only)."""
    text = re.sub(r"(?<=\d)-(?=\d)", "\u2011", str(text)).replace("%-", "%\u2011")
    return plain(re.sub(r"(?<=\d) (?=%|pt\b)", "\u00a0", text))


def table_styler(cells: dict[str, list[str]]):
    """The Styler st.table draws for columns of text (`table`): every cell through `unbroken`, a
    cell holding a number or a date never wrapped (white-space: nowrap), and so a header holding a
    date (st.table shows a column's name as it is: no Styler format reaches it, and "15-01-2021"
    broke at its hyphen); a column of figures aligned right: every cell a number (numbers_right),
    or, in a table turned on its side (the forecast: a column per measure, a row per figure), most
    of them."""
    import pandas as pd

    frame = pd.DataFrame(cells)
    first = frame.columns[0] if len(frame.columns) else None
    right = set(numbers_right(cells))
    for name, values in cells.items():
        filled = [v for v in values if v not in _BLANK]
        if filled and sum(_is_number(v) for v in filled) * 2 > len(filled):
            right.add(name)
    right.discard(first)
    styler = frame.style.format(unbroken)
    if right:
        styler = styler.set_properties(subset=sorted(right), **{"text-align": "right !important"})
    # On the cell's text, not the cell: st.table writes it in a markdown block of its own, whose
    # "white-space: normal" a cell's nowrap would not reach.
    whole = [f"th.col{j}" for j, name in enumerate(frame.columns) if _HOLDS_DATE.search(str(name))]
    whole += [f"td.row{i}.col{j}" for j, values in enumerate(cells.values()) for i, v in enumerate(values)
              if _is_number(v) or _DATE.match(str(v).strip())]
    if whole:
        # one selector a rule: Streamlit puts the table's id before each rule's selector, not
        # before each part of a list
        styler = styler.set_table_styles([{"selector": selector, "props": "white-space: nowrap"}
                                          for cell in whole for selector in (cell, f"{cell} *")])
    return styler


def table(cells: dict[str, list[str]]) -> None:
    """Columns of text as a static table, wrapped rather than cut (st.table; a data grid cuts a
    column off), as `table_styler` prepares it: what it shows is escaped, so a typed text is shown
    as typed; dates and figures whole; columns of figures to the right. What st.table would send
    for these cells is made once per process (ui.shared.table_element) and sent again as it is."""
    from ui import shared

    shared.table_element(cells, table_styler)


# Widths in px of Streamlit's table at its 14 px font (Source Sans): a character, a cell's padding and
# sort mark, and the most a column of long text takes before its text wraps onto more lines.
CHAR_PX, PAD_PX, WRAP_PX, LINE_PX = 6.7, 24, 190, 21
BUDGET_PX, MIN_TEXT_PX = 785, 90  # the page at 820 px (788 px of table); the narrowest text column
WRAP_ROW_PX = 4 * 16 + 6  # st.dataframe wraps a cell's text only in rows taller than 4rem


def _words(cell) -> list[str]:
    """A cell's words as a line breaks them: at spaces, never at a non-breaking one (€ 4.500)."""
    return [word for word in re.split(r"[ \t\n]+", str(cell)) if word]


def lines_at(cells: list, width_px: float) -> int:
    """The lines the longest-wrapping cell of a column takes at `width_px`: its words put on a line
    while they fit (a word longer than the line takes a line of its own)."""
    room = max(1.0, (width_px - PAD_PX) / CHAR_PX)
    most = 1
    for cell in cells:
        if cell is None:
            continue
        lines, used = 1, 0
        for word in _words(cell):
            if used and used + 1 + len(word) > room:
                lines, used = lines + 1, len(word)
            else:
                used += len(word) + (1 if used else 0)
        most = max(most, lines)
    return most


def fitted(data: dict[str, list] | list[dict], wrap_px: int = WRAP_PX, budget_px: int = BUDGET_PX) -> tuple[dict, int | None]:
    """Column widths (column_config) and a row height for st.dataframe such that every column can be
    read whole: each as wide as its header and its content, but no column of long text wider than
    `wrap_px`, and, where the columns together would be wider than `budget_px` (the page's width on
    a tablet at 820 px), the widest text columns narrowed further; their text wraps onto up to four
    lines in taller rows. Without this a table wider than the page cut its last columns off behind
    a scroll bar. A table that cannot be brought within the budget keeps its widths and scrolls,
    its first column pinned. Returns (column_config, row_height or None when nothing wraps)."""
    columns: dict[str, list] = data if isinstance(data, dict) else {
        name: [row.get(name) for row in data] for name in (data[0] if data else {})}
    right = numbers_right(columns)
    header = {name: len(str(name)) * CHAR_PX + PAD_PX + 4 for name in columns}
    content = {name: max([len(str(cell)) for cell in cells if cell is not None] + [0]) * CHAR_PX + PAD_PX
               for name, cells in columns.items()}
    # The longest word of a column: narrower, a word would be broken in the middle.
    word = {name: max([len(w) for cell in cells if cell is not None for w in _words(cell)] + [0]) * CHAR_PX
            + PAD_PX for name, cells in columns.items()}
    floor = {name: max(header[name], min(word[name], wrap_px), 0 if name in right else MIN_TEXT_PX)
             for name in columns}
    # A text a little longer than wrap_px keeps its line: two lines for a few characters waste a row.
    width = {name: max(floor[name], content[name] if content[name] <= 1.25 * wrap_px else wrap_px)
             for name in columns}
    # Narrow one column a step at a time, down to its floor, always the one that then needs the
    # fewest lines (on a tie: long text before a name, then the widest): the lines a row needs are
    # spread over the columns, so that no column alone runs to four lines while a neighbour keeps a
    # line to spare (the cost table's "Bron" ran to four lines beside a one-line "Eenheid").
    while sum(width.values()) > budget_px:
        shrinkable = [n for n in columns if n not in right and width[n] > floor[n]]
        if not shrinkable:
            break
        step = {n: max(floor[n], width[n] - 10) for n in shrinkable}
        chosen = min(shrinkable, key=lambda n: (lines_at(columns[n], step[n]), content[n] <= wrap_px, -width[n]))
        width[chosen] = step[chosen]
    if sum(width.values()) > budget_px:
        # Too many columns for any page to hold (the dwellings list): wrapping would only make the
        # rows tall. Their own widths, and the first column (the record's name) kept in sight
        # while the others scroll past it.
        first = next(iter(columns), None)
        return ({name: st.column_config.Column(alignment="right" if name in right else None, pinned=name == first)
                 for name in columns}, None)
    lines = max([min(4, lines_at(columns[n], width[n])) for n in columns] + [1])
    config = {name: st.column_config.Column(width=int(width[name]), alignment="right" if name in right else None)
              for name in columns}
    return config, (max(WRAP_ROW_PX, 12 + LINE_PX * lines) if lines > 1 else None)


def dataframe(data: dict[str, list] | list[dict], fit: bool = True, **kwargs):
    """st.dataframe with its columns of numbers right-aligned (numbers_right); with `fit`, every
    column sized to be read whole (fitted). A column_config given for a column replaces that column's."""
    if fit:
        config, row_height = fitted(data, kwargs.pop("wrap_px", WRAP_PX))
        if row_height:
            kwargs.setdefault("row_height", row_height)
            rows = len(next(iter(data.values()), [])) if isinstance(data, dict) else len(data)
            if rows <= 20:  # every row in sight, as the default height does for short rows
                kwargs.setdefault("height", 38 + rows * kwargs["row_height"] + 2)
    else:
        config = numbers_right(data)
    return st.dataframe(data, column_config={**config, **(kwargs.pop("column_config", None) or {})}, **kwargs)


def value(key: str) -> Any:
    """A widget's value as the write needs it: blank text is None."""
    raw = st.session_state.get(key)
    if isinstance(raw, str) and not raw.strip():
        return None
    return raw


def values(prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: value(f"{prefix}_{name}") for name in names}


def record_picker(form: str, prefix: str, rows: list[dict], fields: tuple[str, ...], describe: Callable[[dict], str],
                  lang: str, reload: Callable[[], list[dict]], numbered: bool = True) -> Callable[[], None]:
    """The selectbox above a form that adds or edits: "+ new" empties the form's widgets, an existing
    row loads its values (and its version, when it has one) into them. Returns the loader, for a
    reload button after a version conflict. `reload` reads the rows afresh inside the callback.
    `numbered`: each row by its register number and description ("#3 · Wachtlijst"), where two rows
    may read alike; False where the description is unique (a partner's name)."""
    by_id = {row["id"]: row for row in rows}

    def load() -> None:
        st.session_state.pop(f"_errors_{form}", None)
        st.session_state.pop(f"_done_{form}", None)
        chosen = st.session_state.get(f"{prefix}_id")
        record = next((row for row in reload() if row["id"] == chosen), None) if chosen is not None else None
        for name in fields:
            if record is None:
                st.session_state.pop(f"{prefix}_{name}", None)
            else:
                st.session_state[f"{prefix}_{name}"] = record[name]
        st.session_state[f"{prefix}_version"] = record.get("version") if record else None

    st.selectbox(t("choose_record", lang), [None, *by_id], key=f"{prefix}_id", on_change=load,
                 format_func=lambda i: t("new_record", lang) if i is None
                 else f"#{i} · {describe(by_id[i])}" if numbered else describe(by_id[i]))
    return load


def arrow(change) -> str:
    """st.metric's delta_arrow for a change that is a number, or a suppressed text such as '<5'."""
    if not isinstance(change, (int, float)) or change == 0:
        return "off"
    return "up" if change > 0 else "down"


def retention_metric(column, head, lang: str) -> None:
    """Retention at 12 months against its target, with its cohort, as this actor may see it
    (eet.figures.progress.headline): exact, or a band with the target verdict always said
    (eet.figures.disclosure rule 5); the overview and the research page show it alike."""
    from eet.texts import formatting as fmt
    from eet.figures import uncertainty
    from eet.figures.disclosure import rate_text, verdict_text
    from eet.figures.privacy import threshold

    rate = head.retention
    column.metric(t("retention", lang), rate_text(rate, lang), border=True)
    if not head.retention_cohort:
        column.caption(t("retention_empty", lang))
        return
    # Issue 29: the verdict follows from the 95% interval, not from the point.
    verdict = uncertainty.verdict_sentence(rate, lang) or verdict_text(rate, lang)
    if rate.banded:
        column.caption(plain(t("retention_band_caption", lang, verdict=verdict, n=threshold(),
                               cohort=fmt.number(head.retention_cohort, lang))))
    else:
        column.caption(plain(t("retention_verdict_caption", lang, verdict=verdict,
                               cohort=fmt.number(head.retention_cohort, lang))))

# A list of more codes than this is typed into, not chosen from: at national size (100,000
# participants, 50,000 dwellings) the entry pages' lists took Chromium 4-14 s to draw
# (bench/browser.py), and nobody scrolls a list of thousands. Below it, a list to choose from.
CHOICE_LIMIT = 1000


def typed_choice(options: list) -> bool:
    """True when `options` (participant codes, dwelling refs) are too many for a list to choose
    from: the page shows a text box instead (`choice_hint` is its placeholder)."""
    return len(options) > CHOICE_LIMIT


def choice_hint(options: list, lang: str) -> str:
    from eet.texts import formatting as fmt
    return t("type_the_code", lang, n=fmt.number(len(options), lang))


def chosen(key: str, options: list) -> Any:
    """What the widget at `key` chose: the option, or None when nothing is chosen or the typed text
    is none of `options` (`unknown_choice` then says so under the box)."""
    picked = value(key)
    if picked is None:
        return None
    picked = str(picked).strip()
    return picked if picked in options else None  # a scan of 100,000 codes: about a millisecond


def code_box(where, label: str, options: list, key: str, lang: str, say_unknown: bool = True, **kwargs) -> Any:
    """A participant's code or a dwelling's ref: a list to choose from ("none" first), or beyond
    CHOICE_LIMIT a text box to type it in (`say_unknown`: a word under it when what was typed is
    none of `options`; inside a form the write's own refusal says it). Returns the chosen option or
    None. `kwargs` go to the widget (on_change, args)."""
    if not typed_choice(options):
        return where.selectbox(label, [None, *options], key=key,
                               format_func=lambda v: t("none", lang) if v is None else v, **kwargs)
    where.text_input(label, key=key, placeholder=choice_hint(options, lang), **kwargs)
    if say_unknown:
        unknown_choice(key, options, lang, where)
    return chosen(key, options)


def unknown_choice(key: str, options: list, lang: str, where=None) -> None:
    """Under a text box of `typed_choice`: a word when what was typed is no code of the list."""
    picked = value(key)
    if picked is not None and chosen(key, options) is None:
        (where or st).caption(t("unknown_choice", lang, value=str(picked).strip()))
