"""Join PDFs this project drew into one, streaming, so a batch's memory does not grow with it.

reportlab keeps every page of a document in memory until it saves, and PDF libraries that merge
(pypdf, qpdf through pikepdf) hold every page of the result: both grow by about 12 KiB a page.
A print batch is therefore drawn in chunks of a few hundred pages, each a complete PDF on disk,
and the chunks are joined here one after another: each chunk's objects are copied to the output
with new numbers, its page tree, catalog and info are dropped, and one page tree, catalog and
cross-reference table for the whole batch are written at the end. Memory holds one chunk and
the list of offsets, whatever the batch's length.

This reads only what `portal.printing.layout` writes (reportlab's plain layout: one
cross-reference table, no object streams, no encryption) and refuses anything else rather than
guess. Stream bodies are copied byte for byte; references are renumbered in dictionaries only.
"""

import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

HEADER = b"%PDF-1.4\n%\x93\x8c\x8b\x9e Cunban\n"
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_OBJECT_HEAD = re.compile(rb"(\d+) 0 obj\s*")
_REFERENCE = re.compile(rb"(\d+) 0 R\b")
_TRAILER_REF = re.compile(rb"/(Root|Info) (\d+) 0 R")
_TYPE = re.compile(rb"/Type /(\w+)")


class NotOurPdf(ValueError):
    """The file is not laid out as reportlab writes it; nothing is guessed."""


def _objects(data: bytes) -> tuple[dict[int, bytes], dict[str, int]]:
    """The file's objects (number → body between `obj` and `endobj`) and its trailer's Root and Info."""
    end = _STARTXREF.search(data[-64:])
    if end is None:
        raise NotOurPdf("no startxref at the end")
    xref = int(end.group(1))
    if not data.startswith(b"xref", xref):
        raise NotOurPdf("the cross-reference table is not a plain table")
    lines = data[xref:].split(b"\n", 2)
    first, count = (int(part) for part in lines[1].split())
    if first != 0:
        raise NotOurPdf("more than one cross-reference section")
    table = lines[2]
    objects = {}
    for number, match in enumerate(_XREF_ENTRY.finditer(table[: 20 * count + 20])):
        if number >= count:
            break
        offset, _generation, kind = match.groups()
        if kind != b"n":
            continue
        start = int(offset)
        head = _OBJECT_HEAD.match(data, start)
        if head is None or int(head.group(1)) != number:
            raise NotOurPdf(f"object {number} is not where the table says")
        stop = data.find(b"endobj", head.end())
        if stop < 0:
            raise NotOurPdf(f"object {number} has no end")
        objects[number] = data[head.end() : stop].rstrip()
    trailer = data[xref:]
    refs = {name.decode(): int(number) for name, number in _TRAILER_REF.findall(trailer)}
    if "Root" not in refs:
        raise NotOurPdf("the trailer names no catalog")
    return objects, refs


def _renumber(body: bytes, numbers: dict[int, int]) -> bytes:
    """References renumbered in the dictionary; a stream's bytes are left exactly as they are."""
    split = body.find(b"\nstream\n")
    head, tail = (body, b"") if split < 0 else (body[:split], body[split:])

    def new(match: re.Match) -> bytes:
        old = int(match.group(1))
        if old not in numbers:
            raise NotOurPdf(f"a reference to object {old}, which is not copied")
        return b"%d 0 R" % numbers[old]

    return _REFERENCE.sub(new, head) + tail


class _Writer:
    def __init__(self, out: BinaryIO):
        self.out = out
        self.position = 0
        self.offsets: dict[int, int] = {}
        self.write(HEADER)

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def object(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")


def _pdf_string(text: str) -> bytes:
    """A text string as PDF wants it: UTF-16BE with its byte-order mark, in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


CATALOG, PAGES, INFO = 1, 2, 3


def concatenate(sources: Iterable[Path], out: BinaryIO, *, title: str = "") -> int:
    """Write the pages of `sources`, in order, as one PDF to `out`; returns the page count."""
    writer = _Writer(out)
    kids: list[int] = []
    next_number = INFO + 1
    for source in sources:
        objects, trailer = _objects(source.read_bytes())
        catalog = objects[trailer["Root"]]
        dropped = {trailer["Root"], trailer.get("Info")}
        numbers: dict[int, int] = {}
        pages_in_order: list[int] = []
        for number, body in objects.items():
            kind = _TYPE.search(body.split(b"\nstream\n", 1)[0])
            kind = kind.group(1) if kind else b""
            if kind == b"Pages":
                if b"/Parent" in body:
                    raise NotOurPdf("a nested page tree")
                numbers[number] = PAGES
                pages_in_order = [
                    int(kid) for kid in _REFERENCE.findall(body.split(b"/Kids", 1)[1].split(b"]")[0])
                ]
                dropped.add(number)
            elif kind == b"Outlines" or number in dropped:
                dropped.add(number)
            else:
                numbers[number] = next_number
                next_number += 1
        if b"/Pages" not in catalog:
            raise NotOurPdf("the catalog names no pages")
        for number, body in objects.items():
            if number not in dropped:
                writer.object(numbers[number], _renumber(body, numbers))
        kids.extend(numbers[page] for page in pages_in_order)
    writer.object(
        PAGES,
        b"<< /Count %d /Kids [ %s ] /Type /Pages >>"
        % (len(kids), b" ".join(b"%d 0 R" % kid for kid in kids)),
    )
    writer.object(CATALOG, b"<< /PageMode /UseNone /Pages %d 0 R /Type /Catalog >>" % PAGES)
    writer.object(
        INFO, b"<< /Creator %s /Producer (Cunban) /Title %s >>" % (_pdf_string("Cunban"), _pdf_string(title))
    )
    xref = writer.position
    size = next_number
    rows = [b"0000000000 65535 f \n"] + [b"%010d 00000 n \n" % writer.offsets[n] for n in range(1, size)]
    writer.write(b"xref\n0 %d\n" % size + b"".join(rows))
    writer.write(
        b"trailer\n<< /Info %d 0 R /Root %d 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (INFO, CATALOG, size, xref)
    )
    return len(kids)
