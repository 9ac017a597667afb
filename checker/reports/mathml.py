"""MathML from a converter, rebuilt from an allow-list: only presentation MathML elements and
attributes survive, every text is escaped. A derivation from a pull request must not be able to
run code in the browser of whoever opens the report (latex2mathml copies `\\text{…}` raw)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

NAMESPACE = "http://www.w3.org/1998/Math/MathML"
ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup munder mover munderover mfrac msqrt "
    "mroot mstyle merror mpadded mphantom mfenced menclose mtable mtr mtd mlabeledtr "
    "mmultiscripts mprescripts none semantics".split()
)
VOID = frozenset({"mspace", "mprescripts", "none"})  # written as <x/> by the converters
ATTRIBUTES = frozenset(
    "display mathvariant mathsize mathcolor mathbackground stretchy fence separator accent "
    "accentunder lspace rspace form largeop movablelimits symmetric minsize maxsize "
    "linethickness columnalign rowalign columnlines rowlines columnspacing rowspacing frame "
    "framespacing equalrows equalcolumns displaystyle scriptlevel width height depth notation "
    "open close separators align rowspan columnspan bevelled numalign denomalign voffset".split()
)
DROPPED_WITH_CONTENT = frozenset({"script", "style", "annotation-xml", "annotation"})


class Sanitiser(HTMLParser):
    """Writes back the allowed elements (balanced), their allowed attributes, and escaped text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0  # depth inside an element dropped with its content
        self.removed: list[str] = []  # what did not pass, for the report's note

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            self.skipping += 1
            self.removed.append(f"<{tag}>")
        else:
            self.opened(tag, attrs)

    def opened(self, tag, attrs) -> bool:
        """Write the start tag if it is allowed here; True if it is now open."""
        if self.skipping:
            return False
        if tag not in ELEMENTS or (tag == "math") == bool(self.open):
            self.removed.append(f"<{tag}>")  # unknown, or a <math> not the outermost element
            return False
        kept = [(name, value) for name, value in attrs if name in ATTRIBUTES and value is not None]
        self.removed.extend(
            f"{name}=" for name, _ in attrs if name not in ATTRIBUTES and name != "xmlns"
        )
        if tag == "math":
            kept.insert(0, ("xmlns", NAMESPACE))
        text = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in kept)
        if tag in VOID:
            self.out.append(f"<{tag}{text}/>")
            return False
        self.out.append(f"<{tag}{text}>")
        self.open.append(tag)
        return True

    def handle_startendtag(self, tag, attrs):
        if tag not in DROPPED_WITH_CONTENT and self.opened(tag, attrs):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in DROPPED_WITH_CONTENT:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping:
            return
        if tag not in self.open:
            self.removed.append(f"</{tag}>")
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                return

    def handle_data(self, data):
        if not self.skipping and self.open:
            self.out.append(html.escape(data, quote=False))
        elif data.strip():
            self.removed.append("text outside <math>")

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def sanitised(markup: str) -> tuple[str, tuple[str, ...]]:
    """`markup` with only presentation MathML left (no script, link, style, event or id), and
    what was taken out."""
    parser = Sanitiser()
    parser.feed(markup)
    return parser.result(), tuple(dict.fromkeys(parser.removed))
