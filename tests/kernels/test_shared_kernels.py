"""What the kernels share (genomedata.kernels._jit, _bytes, _tables) against Python models, and
the rules of the kernels package: every kernel compiled with the project's numba defaults, kernel
modules importing only the shared private modules, a cache that follows those modules, no
comment citing a document outside the repository."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import genomedata.kernels as kernels
from genomedata.kernels import _bytes as kb
from genomedata.kernels import _tables as kt

pytestmark = pytest.mark.kernels

PACKAGE = Path(kernels.__file__).parent
SHARED = {"_jit", "_bytes", "_decimal", "_tables"}
INT64_MAX = 2 ** 63 - 1


def as_buf(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8)


# ------------------------------------------------------------------------------------------------
# byte classes and lines

def test_byte_classes_and_names():
    for c in range(256):
        assert kb.is_blank(c) == (c in b" \t")
        assert kb.is_blank_or_cr(c) == (c in b" \t\r")
        assert kb.is_delim(c) == (c in b" \t\r\n")
    for letter in b"AZaz":
        assert kb.lower(letter) == ord(chr(letter).lower())
    assert (kb.NEWLINE, kb.CARRIAGE_RETURN, kb.SPACE, kb.TAB) == tuple(b"\n\r \t")
    assert (kb.HASH, kb.PLUS, kb.MINUS, kb.DOT, kb.EQUALS, kb.GREATER_THAN, kb.ZERO,
            kb.NINE) == tuple(b"#+-.=>09")
    assert kb.word("track").tobytes() == b"track"


text_st = st.lists(st.sampled_from([b" ", b"\t", b"\r", b"\n", b"x", b"7", b"\x00"]),
                   max_size=12).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(text_st, st.data())
def test_line_helpers_match_models(text, data):
    buf = as_buf(text)
    n = len(text)
    p = data.draw(st.integers(0, n))
    skipped = p
    while skipped < n and text[skipped] in b" \t":
        skipped += 1
    assert kb.skip_blanks(buf, p, n) == skipped
    newline = text.find(b"\n", p)
    assert kb.next_line(buf, p, n) == (n if newline < 0 else newline + 1)
    rest = text[p:] if newline < 0 else text[p:newline]
    expected = -1 if rest.strip(b" \t\r") else (n if newline < 0 else newline + 1)
    assert kb.end_of_line(buf, p, n) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=12), st.sampled_from(["track", "fixedStep", "Nan"]), st.data())
def test_word_helpers_match_models(text, word, data):
    needle = word.encode()
    if data.draw(st.booleans()):   # often put the word in
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.sampled_from([needle, needle.upper()])) + text[at:]
    buf = as_buf(text)
    n = len(text)
    p = data.draw(st.integers(0, n))
    there = text[p:p + len(needle)] == needle
    assert kb.word_at(buf, p, n, kb.word(word)) == (
        there and (p + len(needle) == n or text[p + len(needle)] in b" \t\r\n"))
    if p + len(needle) <= n:
        assert kb.matches(buf, p, kb.word(word)) == there
    b = data.draw(st.integers(p, n))
    lowered = bytes(c | 0x20 for c in text[p:b])
    assert kb.word_is_ignoring_case(buf, p, b, kb.word(word.lower())) == (
        lowered == needle.lower())
    m = data.draw(st.integers(0, n - p))
    q = data.draw(st.integers(0, n - m))
    assert kb.equal_bytes(buf, p, q, m) == (text[p:p + m] == text[q:q + m])


# ------------------------------------------------------------------------------------------------
# unsigned integers

def model_uint(text: bytes, p: int):
    """(status, value, end) of the unsigned integer token at p."""
    q = p
    while q < len(text) and text[q] in b"0123456789":
        q += 1
    if q == p or (q < len(text) and text[q] not in b" \t\r\n"):
        return kb.UINT_BAD, None, q
    value = int(text[p:q])
    if value > INT64_MAX:
        return kb.UINT_OVERFLOW, None, q
    return kb.UINT_OK, value, q


uint_text = st.one_of(
    st.integers(0, 2 ** 70).map(lambda v: str(v).encode()),
    st.sampled_from([b"9223372036854775807", b"9223372036854775808", b"00009223372036854775807",
                     b"18446744073709551616", b"0", b""]),
).flatmap(lambda digits: st.tuples(st.just(digits), st.sampled_from(
    [b"", b" ", b"\t1", b"\r\n", b"\n", b"x", b"-", b".5", b"\x00"]))).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(uint_text, st.binary(max_size=25)))
def test_parse_uint_matches_model(text):
    status, value, end = kb.parse_uint(as_buf(text), 0, len(text))
    expected_status, expected_value, expected_end = model_uint(text, 0)
    assert (status, end) == (expected_status, expected_end)
    if status == kb.UINT_OK:
        assert value == expected_value


@settings(max_examples=1000, deadline=None)
@given(st.one_of(uint_text, st.binary(max_size=25)), st.binary(max_size=20))
def test_parse_uint_words_reads_like_parse_uint(text, after):
    # the word-at-a-time reader needs 16 bytes before the end: with and without them
    buf = as_buf(text + after)
    for n in (len(text), len(text) + len(after)):
        fast = kb.parse_uint_words(buf, 0, n)
        assert fast == kb.parse_uint(buf, 0, n)
        assert type(fast[1]) is type(kb.parse_uint(buf, 0, n)[1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(0, INT64_MAX),
                          st.sampled_from([0, 9, 10, 99, 100, 10 ** 18 - 1, 10 ** 18, INT64_MAX])),
                max_size=10))
def test_put_uint_and_digit_count(values):
    out = np.full(20 * len(values) + 1, ord("#"), dtype=np.uint8)
    p = 0
    for v in values:
        assert kb.digit_count(v) == len(str(v))
        p = kb.put_uint(out, p, v)
    assert out[:p].tobytes() == "".join(map(str, values)).encode()
    assert out[p] == ord("#")


# ------------------------------------------------------------------------------------------------
# growable tables

@settings(max_examples=100, deadline=None)
@given(st.integers(0, 40), st.integers(1, 3), st.data())
def test_tables_grow_keeping_what_is_used(size, ncols, data):
    used = data.draw(st.integers(0, size))
    a = np.arange(size, dtype=np.int64)
    grown = kt.grow(a, used)
    assert grown.dtype == a.dtype and len(grown) == max(16, 2 * size)
    np.testing.assert_array_equal(grown[:used], a[:used])
    table = np.arange(size * ncols, dtype=np.float64).reshape(size, ncols)
    rows = kt.grow_rows(table, used)
    assert rows.shape == (max(16, 2 * size), ncols)
    np.testing.assert_array_equal(rows[:used], table[:used])
    copied = kt.copy_rows(table, used, used)
    np.testing.assert_array_equal(copied, table[:used])
    assert kt.filled(size, -1).tolist() == [-1] * size


# ------------------------------------------------------------------------------------------------
# the rules of the package

def _modules():
    return sorted(info.name for info in pkgutil.iter_modules(kernels.__path__))


def test_every_kernel_has_the_project_defaults():
    """cache=True and nogil=True everywhere (the decorators of _jit), and no dispatcher
    created by hand in a kernel module."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    count = 0
    for name in _modules():
        module = importlib.import_module(f"genomedata.kernels.{name}")
        for value in vars(module).values():
            if isinstance(value, Dispatcher) and value.__module__ == module.__name__:
                assert value.targetoptions.get("nogil") is True, value
                assert not isinstance(value._cache, NullCache), value
                count += 1
    assert count >= 60
    for path in PACKAGE.glob("*.py"):
        if path.name != "_jit.py":
            assert "njit" not in path.read_text(), f"{path.name}: use the decorators of _jit"


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node.level, node.module or ""
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield 0, alias.name


def test_kernel_modules_import_only_the_shared_private_modules():
    """A kernel module calls into its own module and the shared private ones only, so that the
    cache digest of the shared modules covers every function a cached kernel inlines."""
    for path in PACKAGE.glob("*.py"):
        for level, module in _imports(path):
            if path.name == "__init__.py":
                continue
            assert not module.startswith("genomedata"), (path.name, module)
            if level == 1:
                assert module in SHARED, (path.name, module)
            assert level <= 1, (path.name, module)
    assert {name for name in _modules() if name.startswith("_")} == SHARED


def test_the_cache_folder_follows_the_shared_modules(tmp_path):
    copy = tmp_path / "kernels"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest = kernels._shared_digest(str(copy))
    assert re.fullmatch(r"[0-9a-f]{16}", digest)
    assert digest == kernels._shared_digest(str(PACKAGE))
    (copy / "parse.py").write_text((copy / "parse.py").read_text() + "\n# a change\n")
    assert kernels._shared_digest(str(copy)) == digest   # numba notices this one itself
    (copy / "_bytes.py").write_text((copy / "_bytes.py").read_text() + "\n# a change\n")
    assert kernels._shared_digest(str(copy)) != digest
    assert kernels._cache_dir().endswith(kernels._shared_digest())
