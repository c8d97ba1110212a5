"""Reads the forms of a rendered page and builds what a browser would submit for one of them, untouched: the
successful controls of the HTML standard (checked boxes only, the selected options or a single select's first
option, a textarea's text without the newline that follows its start tag, the one submit button pressed;
disabled controls and file inputs without a file are not sent), with the value sanitisation of typed inputs (a
date input given "30.09.2025" shows nothing and submits an empty value)."""

import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"
_VALID = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "time": re.compile(_TIME),
    "datetime-local": re.compile(rf"\d{{4,}}-\d{{2}}-\d{{2}}[T ]{_TIME}"),
    "number": re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?"),
}


def sanitized(kind: str, value: str) -> str:
    """The HTML standard's value sanitisation algorithm for the typed inputs the portal uses."""
    pattern = _VALID.get(kind)
    if pattern is None:
        return value
    if not pattern.fullmatch(value):
        return ""
    if kind in ("date", "datetime-local"):
        try:
            datetime.date.fromisoformat(value[:10])
        except ValueError:
            return ""
    return value


@dataclass
class Control:
    tag: str
    attrs: dict
    text: str = ""
    options: list = field(default_factory=list)  # (value, selected, disabled) of a <select>

    @property
    def name(self) -> str | None:
        return self.attrs.get("name")

    @property
    def type(self) -> str:
        return self.attrs.get("type", "text").lower() if self.tag == "input" else self.tag


@dataclass
class Form:
    attrs: dict
    controls: list = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.attrs.get("method", "get").lower()

    def names(self) -> set:
        return {control.name for control in self.controls if control.name}

    def submission(self, button: str | None = None) -> dict[str, list[str]]:
        """name -> values, as the browser sends them when `button` (a submit control's name) is pressed."""
        data: dict[str, list[str]] = {}

        def add(name, value):
            data.setdefault(name, []).append(value)

        pressed = False
        for control in self.controls:
            name, kind = control.name, control.type
            if not name or "disabled" in control.attrs:
                continue
            if kind in ("submit", "image", "button", "reset"):
                if kind == "submit" and name == button and not pressed:
                    add(name, control.attrs.get("value", ""))
                    pressed = True
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in control.attrs:
                    add(name, control.attrs.get("value", "on"))
            elif kind == "file":
                continue
            elif kind == "textarea":
                add(name, control.text.removeprefix("\r\n").removeprefix("\n"))
            elif kind == "select":
                enabled = [option for option in control.options if not option[2]]
                chosen = [value for value, selected, _disabled in enabled if selected]
                if "multiple" in control.attrs:
                    for value in chosen:
                        add(name, value)
                elif chosen:
                    add(name, chosen[-1])
                elif enabled:
                    add(name, enabled[0][0])
            else:
                add(name, sanitized(kind, control.attrs.get("value", "")))
        if button is not None and not pressed:
            raise AssertionError(f"no submit button named {button!r} in the form")
        return data


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._control: Control | None = None  # an open <textarea> or <select>
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: ("" if value is None else value) for key, value in attrs}
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button"):
            control = Control("input", {"type": "submit", **attrs} if tag == "button" else attrs)
            self._form.controls.append(control)
        elif tag in ("textarea", "select"):
            self._control = Control(tag, attrs)
            self._form.controls.append(self._control)
        elif tag == "option" and self._control is not None and self._control.tag == "select":
            self._option = [attrs.get("value"), "selected" in attrs, "disabled" in attrs, ""]
            self._control.options.append(self._option)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag in ("textarea", "select"):
            self._close_option()
            self._control = None
        elif tag == "option":
            self._close_option()

    def _close_option(self):
        if self._option is not None and self._control is not None:
            value, selected, disabled, text = self._option
            index = self._control.options.index(self._option)
            self._control.options[index] = (text.strip() if value is None else value, selected, disabled)
        self._option = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[3] += data
        elif self._control is not None and self._control.tag == "textarea":
            self._control.text += data


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def post_form(html: str, *, containing: str) -> Form:
    """The page's POST form that has a control named `containing`."""
    found = [form for form in forms_of(html) if form.method == "post" and containing in form.names()]
    assert len(found) == 1, f"expected one POST form with {containing!r}, found {len(found)}"
    return found[0]
