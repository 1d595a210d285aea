"""What a reader sees on a page, and what in it breaks Chinese typography or mixes the languages
(issue 17): pure functions over rendered HTML, for tests/test_typography.py.

`visible_text(html)` is the text a reader meets: the page's text (not scripts, styles, templates or
what was typed into a text area) and the attributes read out or shown (title, alt, placeholder,
aria-label, a button's value), each piece with the language of its element (`lang`, inherited).
Pieces within a line of text are joined; a block element (a paragraph, a cell, a list item) starts
a new line, so a cell's text never runs into the next cell's.

The rules, each a function from that text to its findings:

- `half_width_punctuation`: in Chinese, a half-width , : ; ( ) ? ! right after a Chinese character
  or Chinese punctuation, or a half-width ( before one ("支持金额上限: ", "（约" written "(约").
- `iso_dates`: in Chinese, a date written 2026-12-09 rather than in the locale's format (English
  pages write short dates so on purpose: config/formats/en).
- `other_language`: in an English page, Chinese characters; in a Chinese page, a sentence of three
  or more English words. Text inside an element marked with the other language (lang="zh-Hans" on
  an English page, lang="en" on a Chinese one), inside code, and the `allowed` texts (names and
  notes people typed, which stay in the language they were typed in) do not count.
- `raw_empty_choice`: Django's "---------" for a select's empty choice.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese punctuation: 。、「」 and the full-width forms （）：，；
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
HALF_WIDTH = re.compile(rf"[{CJK}{CJK_PUNCTUATION}] ?[,:;()?!]|\( ?[{CJK}]")
ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?!\d)")
CHINESE = re.compile(rf"[{CJK}]+")
# Three or more English words in a row, one space apart: a sentence of the interface, not a code,
# an abbreviation or a name's single word.
ENGLISH_SENTENCE = re.compile(r"(?<![\w.-])[A-Za-z][a-z]+(?:[ ][A-Za-z][a-z']*){2,}(?![\w-])")
RAW_EMPTY_CHOICE = re.compile(r"-{5,}")

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN = {"script", "style", "template", "textarea", "code", "kbd", "samp", "pre"}
BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "button", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hr", "html", "legend", "li", "main", "nav", "ol", "optgroup",
    "option", "p", "section", "select", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "title", "tr", "ul",
}  # fmt: skip
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
BUTTON_TYPES = {"submit", "button", "reset"}


@dataclass(frozen=True)
class Piece:
    text: str
    language: str  # "zh" or "en" or "" (the element's lang, inherited; "" when none is set)


def _language(lang):
    lang = (lang or "").lower()
    return "zh" if lang.startswith("zh") else "en" if lang.startswith("en") else lang


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, language, hidden)
        self.pieces = []
        self._line = []
        self._line_language = None

    @property
    def _here(self):
        return self.stack[-1] if self.stack else ("", "", False)

    def _flush(self):
        text = " ".join("".join(self._line).split())
        if text:
            self.pieces.append(Piece(text, self._line_language or ""))
        self._line, self._line_language = [], None

    def _add(self, text, language):
        if language != self._line_language and self._line:
            self._flush()
        self._line.append(text)
        self._line_language = language

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        _, language, hidden = self._here
        if "lang" in values:
            language = _language(values["lang"])
        hidden = hidden or tag in HIDDEN or "hidden" in values
        if tag in BLOCK:
            self._flush()
        if not hidden:
            said = [values.get(name) for name in READ_ATTRIBUTES]
            if tag == "input" and (values.get("type") or "").lower() in BUTTON_TYPES:
                said.append(values.get("value"))
            for text in filter(None, said):
                self._flush()
                self._add(text, language)
                self._flush()
        if tag not in VOID:
            self.stack.append((tag, language, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self._flush()
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data):
        _, language, hidden = self._here
        if not hidden:
            self._add(data, language)

    def close(self):
        super().close()
        self._flush()


def visible_text(html):
    """The text a reader meets on the page: a list of Pieces, one per line of text (see above)."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.pieces


def page_language(html):
    match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", html)
    return _language(match[1]) if match else ""


def _without(text, allowed):
    for value in allowed:
        if value:
            text = text.replace(value, " ")
    return text


def half_width_punctuation(pieces):
    """Half-width punctuation beside Chinese text: the few characters around each, to find it by."""
    return [_around(piece.text, match) for piece in pieces for match in HALF_WIDTH.finditer(piece.text)]


def iso_dates(pieces):
    return [_around(piece.text, match) for piece in pieces for match in ISO_DATE.finditer(piece.text)]


def raw_empty_choice(pieces):
    return [_around(piece.text, match) for piece in pieces for match in RAW_EMPTY_CHOICE.finditer(piece.text)]


def other_language(pieces, language, allowed=()):
    """Text in the language other than the page's `language` ("zh" or "en"), outside elements
    marked as that language and the `allowed` texts (longest first, so a name is not cut by a
    shorter one inside it)."""
    other = "en" if language == "zh" else "zh"
    pattern = ENGLISH_SENTENCE if language == "zh" else CHINESE
    allowed = sorted({a.strip() for a in allowed if a and pattern.search(a)}, key=len, reverse=True)
    found = []
    for piece in pieces:
        if piece.language == other:
            continue
        found.extend(match[0] for match in pattern.finditer(_without(piece.text, allowed)))
    return found


def _around(text, match, width=12):
    return text[max(0, match.start() - width) : match.end() + width]


def findings(html, allowed=()):
    """Every rule's findings on a rendered page, by rule; the rules of Chinese typography only on a
    Chinese page. Empty lists are left out."""
    pieces = visible_text(html)
    language = page_language(html)
    found = {
        "raw empty choice": raw_empty_choice(pieces),
        "other language": other_language(pieces, language, allowed),
    }
    if language == "zh":
        chinese = [piece for piece in pieces if piece.language != "en"]
        found["half-width punctuation"] = half_width_punctuation(chinese)
        found["iso date"] = iso_dates(chinese)
    return {rule: found_ for rule, found_ in found.items() if found_}


def text_findings(text, language, allowed=()):
    """The same rules over plain text (a notice's subject and body, an e-mail, a flash message)."""
    pieces = [Piece(" ".join(line.split()), "") for line in text.splitlines() if line.strip()]
    found = {"other language": other_language(pieces, language, allowed)}
    if language == "zh":
        found["half-width punctuation"] = half_width_punctuation(pieces)
        found["iso date"] = iso_dates(pieces)
    return {rule: found_ for rule, found_ in found.items() if found_}
