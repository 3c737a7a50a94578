"""The text of a reportlab PDF, for tests (no PDF reader is a dependency).

Enough of PDF for what reportlab writes: objects, Flate streams, fonts with a
ToUnicode CMap (the embedded TrueType subsets map one byte to one character), the
built-in CID font (two-byte codes, UCS-2 for STSong-Light's UniGB-UCS2-H encoding)
and the Tf / Tj / TJ operators."""

from __future__ import annotations

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(n): body for n, body in _OBJECT.findall(pdf)}


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if not match:
        return b""
    data, head = match.group(1), body.split(b"stream")[0]
    if b"/ASCII85Decode" in head:
        data = data.strip().removeprefix(b"<~").removesuffix(b"~>")
        data = base64.a85decode(re.sub(rb"\s", b"", data))
    if b"/FlateDecode" in head:
        data = zlib.decompress(data)
    return data


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(raw):
        c = raw[i : i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        if nxt in escapes:
            out += escapes[nxt]
            i += 2
        elif nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1 :]).group(0)
            out.append(int(digits, 8))
            i += 1 + len(digits)
        else:
            out += nxt
            i += 2
    return bytes(out)


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    return mapping


def pdf_text(pdf: bytes) -> str:
    """Every string the pages show, decoded, one Tj/TJ per line."""
    objects = _objects(pdf)
    fonts: dict[bytes, tuple[int, dict[int, str] | None]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+(?:\+\d+)?) (\d+) 0 R", body):
            font = objects.get(int(ref), b"")
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if unicode_ref:
                cmap = _cmap(_stream(objects[int(unicode_ref.group(1))]))
                fonts[name] = (1, cmap)
            elif b"/Type0" in font:
                fonts[name] = (2, None)
            else:
                fonts[name] = (1, None)
    lines = []
    for body in objects.values():
        if b"/Type /Page" in body or b"stream" not in body:
            continue
        content = _stream(body)
        if b" Tf" not in content:
            continue
        width, cmap = 1, None
        for token in re.finditer(
            rb"/(F\d+(?:\+\d+)?) [\d.]+ Tf|(\[.*?\]) TJ|(\((?:\\.|[^\\)])*\)) Tj",
            content,
            re.S,
        ):
            if token.group(1):
                width, cmap = fonts.get(token.group(1), (1, None))
                continue
            raw = token.group(2) or token.group(3)
            data = b"".join(_unescape(s[1:-1]) for s in _STRING.findall(raw))
            if width == 2:
                lines.append(data.decode("utf-16-be", "replace"))
            elif cmap is not None:
                lines.append("".join(cmap.get(b, "?") for b in data))
            else:
                lines.append(data.decode("latin-1"))
    return "\n".join(lines)
