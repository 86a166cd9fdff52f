"""The error a domain parser raises for a value that is not of the vocabulary's form.

One sentence, two spellings: the flows show it as a sentence of its own ("Ogiltig period 202415:
ange ÅÅÅÅPP …."), the command line after argparse's "argument --period: " in lower case with the
value quoted ("ogiltig period '202415': ange ÅÅÅÅPP …", ``bokslut.arguments``).
"""

from __future__ import annotations


class InvalidValue(ValueError):
    def __init__(self, label: str, value: object, hint: str, *, quote: bool = False, argument_label: str | None = None):
        self.label, self.value, self.hint = label, str(value), hint
        self.argument_label = argument_label or label[:1].lower() + label[1:]
        shown = repr(self.value) if quote else (self.value or "(tomt)")
        super().__init__(f"{label} {shown}: {hint}.")

    def argument_message(self) -> str:
        return f"{self.argument_label} '{self.value}': {self.hint}"
