"""Dialogs: the error modal, confirmations, and small forms that return one value.

Each is a ``ModalScreen[T]`` closed with ``dismiss(value)`` (``None`` = cancelled), so a
worker can ``await app.push_screen_wait(...)`` and carry on with the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.markup import escape
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Button, Input, Label, OptionList, Select, Static

from dmsa_migrate.errors import ApiError, DmsaError
from dmsa_migrate.secrets import is_reference, looks_like_secret, mask_client_id, redact

REFERENCE_PREFIXES = ("env:", "file:", "keyring:", "prompt")


def could_be_reference(text: str) -> bool:
    """True while ``text`` is (or is being typed as) a secret reference.

    Anything else is masked as it is typed: a pasted secret is never shown on screen.
    """
    return any(text.startswith(p) or p.startswith(text) for p in REFERENCE_PREFIXES)


class ErrorModal(ModalScreen[None]):
    """A readable error: what failed, Procore's own message, and the request."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, message: str, details: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.error_title = title
        self.message = message
        self.details = details

    @classmethod
    def from_error(cls, error: BaseException) -> ErrorModal:
        """Build the modal from any exception (ours carry a title; others are unexpected)."""
        if isinstance(error, ApiError):
            details = [("Request", error.request), ("Status", str(error.status))]
            if error.company_id is not None:
                details.append(("Company", str(error.company_id)))
            if error.procore_message:
                details.append(("Procore says", error.procore_message))
            return cls(error.title, error.message, details)
        if isinstance(error, DmsaError):
            return cls(error.title, error.message, [])
        return cls("Unexpected error", f"{type(error).__name__}: {error}", [])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error-dialog"):
            yield Label(redact(self.error_title), classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body"):
                yield Static(redact(self.message), id="error-message", markup=False)
                for name, value in self.details:
                    yield Static(f"[b]{escape(name)}:[/b] {escape(redact(value))}", markup=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """Yes / no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "no", "No"),
        Binding("y", "yes", "Yes"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        """``question`` is markup: escape every value put into it (``rich.markup.escape``)."""
        super().__init__(classes="dialog-screen")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button("Cancel", id="no")

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class Field:
    """One input of a :class:`FormModal`.

    ``kind``: ``text``; ``secret`` (a password field: the value stays in memory);
    ``reference`` (a secret reference: masked as soon as it stops looking like one);
    ``client_id`` (an app's client id: hidden with a warning when it reads like a
    credential, see :func:`client_id_hint`); ``select`` (one of ``choices``).
    """

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    kind: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()


CLIENT_ID_WARNING = (
    "Hidden: it reads like a credential, and the secret is easily pasted here by mistake. "
    "Check that {masked} is the client id; the secret has its own field."
)


def client_id_hint(value: str) -> str:
    """What to say under a client-id field holding ``value`` ('' when nothing).

    Why: a client id is not secret, but the client id and the secret of a Procore app
    are both long random strings, and pasting the secret into the client-id field is an
    easy slip; shown in clear, it would be on the screen of a shared session. So a value
    that reads like a credential is hidden, and the masked form everything else shows
    (``ab12…9f``) lets the user recognise the id without seeing it whole.
    """
    value = value.strip()
    if not value or not looks_like_secret(value):
        return ""
    return CLIENT_ID_WARNING.format(masked=mask_client_id(value))


class FormInput(Input):
    """An input that keeps a pasted value whole.

    Textual's input keeps only the first line of a paste; a value copied from a mail or a
    spreadsheet often ends in a line break or spans two lines (a name and a surname), so
    the lines are joined with spaces instead of the rest being dropped.
    """

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # not Input's own handler as well
        joined = " ".join(line.strip() for line in event.text.splitlines() if line.strip())
        if not joined:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(joined)
        else:
            self.replace(joined, *self.selection)


class FormModal(ModalScreen[dict[str, str] | None]):
    """A small form: labelled inputs, OK / Cancel; returns ``{name: value}`` or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = ""
    """None of Textual's own: it would pick the scrolling body (which can take focus) and
    race the first field; :meth:`on_mount` focuses that field instead."""

    def __init__(self, title: str, fields: list[Field], note: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.form_title = title
        self.fields = fields
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form-dialog"):
            yield Label(self.form_title, classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body"):
                if self.note:
                    yield Static(self.note, classes="form-note", markup=False)
                for spec in self.fields:
                    yield Label(spec.label, classes="field-label", markup=False)
                    yield self._widget(spec)
                    if spec.kind == "client_id":
                        hint = client_id_hint(spec.value)
                        note = Static(hint, id=f"hint-{spec.name}", classes="form-hint",
                                      markup=False)
                        note.display = bool(hint)  # no empty line under a plain id
                        yield note
                yield Static("", id="form-error", classes="form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def _widget(self, spec: Field) -> Input | Select[str]:
        if spec.kind == "select":
            return Select(
                [(Text(label), value) for value, label in spec.choices],  # never markup
                value=spec.value or spec.choices[0][0],
                allow_blank=False,
                id=f"field-{spec.name}",
            )
        validators = []
        if spec.kind == "reference":
            validators.append(
                Function(lambda v: not v or is_reference(v), "write env:NAME, file:PATH, "
                         "keyring:SERVICE/NAME or prompt")
            )
        return FormInput(
            value=spec.value,
            placeholder=spec.placeholder,
            password=spec.kind == "secret"
            or (spec.kind == "client_id" and bool(client_id_hint(spec.value))),
            id=f"field-{spec.name}",
            validators=validators,
            classes=f"field-{spec.kind}",
        )

    def on_mount(self) -> None:
        """Focus the first field, so typing (or a paste) goes into the form at once."""
        self.first_field().focus(scroll_visible=False)  # keep the note and label in view

    def first_field(self) -> Input | Select[str]:
        """The form's first input or choice."""
        return self.query_one(f"#field-{self.fields[0].name}")  # type: ignore[return-value]

    def on_paste(self, event: events.Paste) -> None:
        """A paste that reached the dialog itself (no field focused) goes to the first one."""
        field = self.first_field()
        if isinstance(field, Input):
            field.focus()
            field.post_message(events.Paste(event.text))

    @on(Input.Changed, ".field-reference")
    def _mask_literals(self, event: Input.Changed) -> None:
        event.input.password = not could_be_reference(event.value)

    @on(Input.Changed, ".field-client_id")
    def _guard_client_id(self, event: Input.Changed) -> None:
        hint = client_id_hint(event.value)
        event.input.password = bool(hint)
        name = (event.input.id or "").removeprefix("field-")
        note = self.query_one(f"#hint-{name}", Static)
        note.update(hint)
        note.display = bool(hint)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_ok()

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        values: dict[str, str] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Select):
                values[spec.name] = str(widget.value)
                continue
            assert isinstance(widget, Input)
            value = widget.value.strip()
            if spec.required and not value:
                self._error(f"{spec.label} is required")
                widget.focus()
                return
            if spec.kind == "reference" and value and not is_reference(value):
                self._error(
                    f"{spec.label}: not a secret reference. Write env:NAME, file:PATH, "
                    "keyring:SERVICE/NAME or prompt; never the secret itself"
                )
                widget.focus()
                return
            values[spec.name] = value
        if self._client_id_is_a_secret(values):
            return
        self.dismiss(values)

    def _client_id_is_a_secret(self, values: dict[str, str]) -> bool:
        """Refuse a form whose client id is the very value typed as its secret."""
        secrets = {values.get(s.name) for s in self.fields if s.kind == "secret"}
        for spec in self.fields:
            if spec.kind == "client_id" and values.get(spec.name) in secrets - {"", None}:
                self._error(f"{spec.label} is the same value as the secret typed below: "
                            "paste the app's client id here")
                self.query_one(f"#field-{spec.name}").focus()
                return True
        return False

    def _error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TextModal(ModalScreen[None]):
    """A scrollable read-only text (JSON preview, diff, drill-down details)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("c", "copy", "Copy all"),
    ]

    def __init__(self, title: str, text: str, *, markup: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self.text_title = title
        self.text = text
        self.markup = markup

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog"):
            yield Label(self.text_title, classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body", id="text-body"):
                yield Static(redact(self.text), markup=self.markup, id="text-content")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="close")

    def on_mount(self) -> None:
        self.query_one("#text-body").focus()

    def action_copy(self) -> None:
        """Copy the whole text (the manifest JSON, a drill-down, a diff)."""
        copy = getattr(self.app, "copy_text", None)
        if copy is not None:
            copy(self.text, "the text")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class ChoiceModal(ModalScreen[int | None]):
    """Pick one of a few ``(label, value)`` lines; returns its index (``None``: cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.choice_title = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choice-dialog"):
            yield Label(self.choice_title, classes="dialog-title", markup=False)
            lines = [Text.assemble((f"{label}: ", "bold"), value[:200])
                     for label, value in self.choices]
            yield OptionList(*lines, id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
