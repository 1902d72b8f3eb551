"""`?`: every key, grouped by where it works, read from the bindings themselves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


def _key_names(binding: Binding, keymap: dict[str, str] | None = None) -> str:
    """The keys as the user has them: the keymap's for this binding id, else the default."""
    keys = (keymap or {}).get(binding.id or "", binding.key)
    names = []
    for key in keys.split(","):
        key = key.strip()
        names.append({"question_mark": "?", "slash": "/", "space": "space",
                      "shift+tab": "shift+tab"}.get(key, key))
    return ", ".join(names)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, groups: list[tuple[str, list[Binding]]],
                 keymap: dict[str, str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.groups = groups
        self.keymap = keymap or {}

    def compose(self) -> ComposeResult:
        lines: list[Content] = [Content.from_markup("[b]Reader keys[/b]  [dim](escape closes)[/]")]
        for title, bindings in self.groups:
            lines.append(Content(""))
            lines.append(Content.from_markup("[b]$title[/b]", title=title))
            seen: set[tuple[str, str]] = set()
            for binding in bindings:
                if not binding.description:
                    continue  # covered by a sibling binding's line (the digits 2-9)
                label = binding.description
                keys = _key_names(binding, self.keymap)
                if (keys, label) in seen:
                    continue
                seen.add((keys, label))
                lines.append(Content.assemble(
                    "  ", (keys, "bold"), " " * max(2, 20 - len(keys)), label))
        with VerticalScroll(id="help-body"):
            yield Static(Content("\n").join(lines), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
