"""Columns as XML text: their kinds, escaping, key declarations, chunked writing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"
"""Characters XML 1.0 cannot hold (RE2 syntax); they are dropped."""


_ILLEGAL_PY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


_INT32 = 2**31


_CHUNK = 200_000


def _kind(s: pd.Series) -> str:
    """``boolean``, ``int``, ``double`` or ``string``."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "double"
    if pd.api.types.is_object_dtype(dt):
        inferred = pd.api.types.infer_dtype(s, skipna=True)
        return _INFERRED.get(inferred, "string")
    return "string"


_INFERRED = {
    "boolean": "boolean",
    "integer": "int",
    "floating": "double",
    "mixed-integer-float": "double",
}


def _strings(values: Any) -> pa.Array:
    """Values as an Arrow string array (None and NaN as nulls)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        try:
            return pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            pass
    arr = np.asarray(values, dtype=object)
    try:
        return pa.array(arr, type=pa.string(), from_pandas=True)
    except (UnicodeEncodeError, pa.ArrowInvalid, pa.ArrowTypeError):
        out = [
            None
            if v is None or (isinstance(v, float) and v != v)
            else _ILLEGAL_PY.sub("", str(v))
            for v in arr
        ]
        return pa.array(out, type=pa.string())


_KEY_ESC = re.compile("[\\\\\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def key_text(key: str) -> str:
    r"""A node key with ``\`` and the characters XML cannot hold escaped.

    Examples
    --------
    >>> key_text("village:a\x01"), key_text("village:a\\x01")
    ('village:a\\x01', 'village:a\\\\x01')
    """

    def one(m: re.Match[str]) -> str:
        code = ord(m.group())
        if code == 0x5C:  # the backslash itself
            return "\\\\"
        return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"

    return _KEY_ESC.sub(one, key)


def _keys_text(values: pd.Series, escape: bool) -> pa.Array:
    """Node keys as XML attribute text (escaped as :func:`key_text` when asked)."""
    if escape:  # rare: a Python pass over the keys
        values = pd.Series(values, dtype=object).astype(str).map(key_text)
    return _escape(_strings(values), True)


def _escape(arr: pa.Array, attribute: bool) -> pa.Array:
    """Strings made safe for XML text (or a double-quoted attribute)."""
    if len(arr) == 0:
        return arr
    if pc.any(pc.match_substring_regex(arr, _ILLEGAL)).as_py():
        arr = pc.replace_substring_regex(arr, _ILLEGAL, "")
    pairs = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")]
    if attribute:
        pairs += [('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;")]
    for old, new in pairs:
        if pc.any(pc.match_substring(arr, old)).as_py():
            arr = pc.replace_substring(arr, old, new)
    return arr


def _text(s: pd.Series, kind: str, gexf: bool) -> pa.Array:
    """A column's values as XML-safe text (nulls where missing)."""
    missing = s.isna().to_numpy() if kind != "double" else None
    if kind == "string":
        return _escape(_strings(s), attribute=gexf)
    if kind == "boolean":
        text = np.where(s.to_numpy(dtype=bool, na_value=False), "true", "false")
    elif kind == "int":
        if pd.api.types.is_object_dtype(s.dtype):  # Python ints, maybe beyond 64 bits
            assert missing is not None  # set for every kind but "double"
            text = np.asarray(
                ["" if m else str(v) for v, m in zip(s, missing, strict=True)],
                dtype=object,
            )
        else:
            text = s.to_numpy(dtype=np.int64, na_value=0).astype(str)
    else:
        text = s.to_numpy(dtype=np.float64, na_value=np.nan).astype(str)  # repr
        if gexf:
            text = np.select(
                [text == "nan", text == "inf", text == "-inf"],
                ["NaN", "INF", "-INF"],
                default=text,
            )
    return pa.array(text, type=pa.string(), mask=missing)


def _xml_type(s: pd.Series, kind: str, gexf: bool) -> str:
    if kind == "string":
        return "string"
    if kind == "boolean":
        return "boolean"
    if kind == "double":
        return "double"
    if pd.api.types.is_object_dtype(s.dtype):
        return "long"
    v = s.to_numpy(dtype=np.int64, na_value=0)
    big = len(v) and (int(v.max()) >= _INT32 or int(v.min()) < -_INT32)
    return ("long" if big else "integer") if gexf else ("long" if big else "int")


class _Keys:
    """Attribute declarations: one per (scope, name, type), with unique ids."""

    def __init__(self, gexf: bool) -> None:
        self.gexf = gexf
        self.ids: dict[tuple[str, str, str], str] = {}

    def plan(self, scope: str, frames: list[pd.DataFrame], skip: set[str]) -> None:
        for f in frames:
            for c in f.columns:
                if c in skip:
                    continue
                s = f[c]
                if s.isna().all() and _kind(s) != "double":
                    continue
                self.ids.setdefault(
                    (scope, str(c), _xml_type(s, _kind(s), self.gexf)), ""
                )

    def assign(self, first: int = 0) -> None:
        if self.gexf:  # GEXF: numbered, as networkx does
            for i, k in enumerate(self.ids, start=first):
                self.ids[k] = str(i)
            return
        count = Counter(name for _, name, _ in self.ids)
        taken: set[str] = set()
        for i, (scope, name, typ) in enumerate(self.ids):
            cands = [name] if count[name] == 1 else []
            cands += [f"{scope}.{name}", f"{scope}.{name}.{typ}"]
            kid = next((c for c in cands if _NAME.match(c) and c not in taken), "")
            kid = kid or f"d{i}"
            while kid in taken:
                kid += "_"
            taken.add(kid)
            self.ids[(scope, name, typ)] = kid

    def of(self, scope: str, name: str, s: pd.Series, kind: str) -> str:
        return self.ids[(scope, name, _xml_type(s, kind, self.gexf))]


def _join(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _valued(
    f: pd.DataFrame, scope: str, keys: _Keys, skip: set[str], gexf: bool
) -> Iterator[tuple[str, pa.Array]]:
    """Each attribute column of ``f`` that carries a value: its key id and its
    values as XML text (GraphML's ``<data>``, GEXF's ``<attvalue>``)."""
    for c in f.columns:
        if c in skip:
            continue
        s = f[c]
        kind = _kind(s)
        if kind != "double" and s.isna().all():
            continue
        yield keys.of(scope, str(c), s, kind), _text(s, kind, gexf)


def _piece(head: str, text: pa.Array, tail: str) -> pa.Array:
    """``head + text + tail``, or ``""`` where ``text`` is missing."""
    return pc.fill_null(_join(head, text, tail), "")


def _frame_lines(
    frame: pd.DataFrame, make: Any, chunk: int = _CHUNK
) -> Iterator[pa.Array]:
    for start in range(0, len(frame), chunk):
        yield make(frame.iloc[start : start + chunk])


def _write(fh: IO[bytes], chunk: str | pa.Array) -> None:
    if isinstance(chunk, str):
        fh.write(chunk.encode("utf-8"))
        return
    if len(chunk) == 0:
        return
    arr = pa.concat_arrays([chunk]) if chunk.offset else chunk
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    data = arr.buffers()[2]
    lo, hi = int(offsets[0]), int(offsets[len(arr)])
    if data is not None:
        fh.write(memoryview(data)[lo:hi])


def _attr(value: str) -> str:
    return _escape(pa.array([value], type=pa.string()), attribute=True)[0].as_py()


def _textval(value: Any, kind: str, gexf: bool) -> str:
    s = pd.Series([value])
    return _text(s, kind, gexf)[0].as_py()


def _py_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    return "string"
