"""Active content in PDF files: scripts, launch actions, automatic actions and embedded files.

A PDF that runs code when opened (JavaScript, /Launch) or carries other files (/EmbeddedFile) is no document a
portal user needs to upload; uploads are refused when `active_content` finds any. Every object reachable from the
document's trailer is visited once (names are compared after pypdf has decoded `#xx` escapes, and objects inside
compressed object streams are read too), so hiding the keys from a byte search does not help.
"""

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# Keys whose mere presence means active content.
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "automatic action (/AA)",
    "/Launch": "launch action",
    "/EmbeddedFile": "embedded file",
    "/EmbeddedFiles": "embedded file",
    "/RichMedia": "rich media",
}
# Action types (/S) that run something.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "launch action",
    "/ImportData": "import action",
    "/RichMediaExecute": "rich media",
    "/SubmitForm": "form submission",
}
MAX_OBJECTS = 200_000


class TooComplex(ValueError):
    """More objects than a document upload plausibly has."""


def active_content(reader: PdfReader) -> list[str]:
    """The kinds of active content found in the document (empty when there is none)."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise TooComplex("too many objects")
        if isinstance(node, DictionaryObject):  # streams are dictionaries too; their data is not followed
            for name, value in node.items():
                if name in ACTIVE_KEYS:
                    found.add(ACTIVE_KEYS[name])
                if name == "/S" and isinstance(value, NameObject) and value in ACTIVE_ACTIONS:
                    found.add(ACTIVE_ACTIONS[value])
                if name not in ("/Parent", "/P"):  # back-links lead to objects reached anyway
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return sorted(found)
