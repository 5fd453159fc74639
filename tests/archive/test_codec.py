"""The chunk codec (genomedata.archive.codec): encode and decode side by side, against HDF5's own
filter pipeline, and the answers to "which chunks are stored"."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.archive import codec
from genomedata.errors import ArchiveFormatError

pytestmark = pytest.mark.kernels

ROWS = 1000
PIPELINES = {"shuffle+deflate": dict(shuffle=True, compression="gzip", compression_opts=1),
             "deflate": dict(compression="gzip", compression_opts=1),
             "shuffle": dict(shuffle=True),
             "none": dict()}


def _values(seed, rows=ROWS):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=rows).astype(np.float32)
    values[rng.random(rows) < 0.2] = np.nan
    return values


def _dataset(handle, options, columns=3, rows=5 * ROWS):
    return handle.create_dataset("d", shape=(rows, columns), dtype="<f4", chunks=(ROWS, 1),
                                 fillvalue=np.nan, **options)


def _decoded(dataset, coord, values_count=ROWS) -> np.ndarray:
    """A stored chunk decoded by the codec (inflate, then the unshuffle kernel)."""
    mask, raw = codec.read_stored_chunk(dataset, coord)
    pipeline = codec.chunk_pipeline(dataset)
    data, shuffled = codec.decode_chunk(raw, mask, pipeline, 4 * ROWS, False, lambda: "chunk")
    out = np.empty(values_count, dtype="<f4")
    if shuffled:
        codec.unshuffle_into(np.frombuffer(data, np.uint8), ROWS, 4, 0, values_count,
                             out.view(np.uint8))
    else:
        out[:] = np.frombuffer(data, "<f4", count=values_count)
    return out


@pytest.mark.parametrize("name", PIPELINES)
def test_hdf5_reads_what_the_codec_encodes(tmp_path, name):
    with h5py.File(tmp_path / "f.h5", "w") as handle:
        dataset = _dataset(handle, PIPELINES[name])
        pipeline = codec.chunk_pipeline(dataset)
        values = _values(1)
        encoded = codec.encode_chunk(values.view(np.uint8), 4, pipeline)
        dataset.id.write_direct_chunk((ROWS, 2), encoded, 0)
        np.testing.assert_array_equal(dataset[ROWS:2 * ROWS, 2], values)
        # and the codec decodes it back
        np.testing.assert_array_equal(_decoded(dataset, (ROWS, 2)), values)


@pytest.mark.parametrize("name", PIPELINES)
def test_the_codec_decodes_what_hdf5_encodes(tmp_path, name):
    with h5py.File(tmp_path / "f.h5", "w") as handle:
        dataset = _dataset(handle, PIPELINES[name])
        values = _values(2)
        dataset[3 * ROWS:4 * ROWS, 1] = values
        np.testing.assert_array_equal(_decoded(dataset, (3 * ROWS, 1)), values)


def test_encode_chunks_equals_encode_chunk_one_by_one():
    pipeline = codec.ChunkPipeline(True, 1)
    raws = [_values(seed).view(np.uint8) for seed in range(4)]
    assert codec.encode_chunks(raws, 4, pipeline) == [codec.encode_chunk(raw, 4, pipeline)
                                                      for raw in raws]


@settings(max_examples=50, deadline=None)
@given(lo=st.integers(0, ROWS), width=st.integers(0, ROWS), seed=st.integers(0, 100))
def test_the_two_unshuffles_agree(lo, width, seed):
    """The kernel (whole columns) and the numpy strided copies (the read API's windows, which
    must not import numba) undo the same shuffle."""
    hi = min(ROWS, lo + width)
    values = _values(seed)
    shuffled = values.view(np.uint8).reshape(ROWS, 4).T.copy()     # byte b of value i at [b, i]
    by_kernel = np.empty(hi - lo, dtype="<f4")
    codec.unshuffle_into(shuffled.reshape(-1), ROWS, 4, lo, hi - lo, by_kernel.view(np.uint8))
    by_numpy = np.empty(hi - lo, dtype="<f4")
    codec.unshuffle_planes(shuffled, lo, hi, by_numpy.view(np.uint8).reshape(hi - lo, 4))
    np.testing.assert_array_equal(by_kernel, values[lo:hi])
    np.testing.assert_array_equal(by_numpy, values[lo:hi])


def test_a_chunk_that_inflates_past_its_size_is_refused():
    import zlib
    bomb = zlib.compress(bytes(40 * ROWS), 1)
    with pytest.raises(ArchiveFormatError, match="inflates to more than the 4000 bytes"):
        codec.decode_chunk(bomb, 0, codec.ChunkPipeline(True, 1), 4 * ROWS, False,
                           lambda: "the chunk at row 0")


def test_pipelines_the_codec_leaves_to_hdf5(tmp_path):
    with h5py.File(tmp_path / "f.h5", "w") as handle:
        other = handle.create_dataset("lzf", shape=(100, 1), dtype="<f4", chunks=(10, 1),
                                      compression="lzf")
        contiguous = handle.create_dataset("contiguous", shape=(100, 1), dtype="<f4")
        assert codec.chunk_pipeline(other) is None
        assert codec.chunk_pipeline(contiguous) is None


@pytest.mark.parametrize("factor", [codec.INDEX_PASS_FACTOR, 0])
def test_stored_chunks_by_index_pass_and_by_lookups(tmp_path, monkeypatch, factor):
    """One threshold chooses between one pass over the chunk index and one lookup per chunk
    row; both give the same rows, and ``lookups=False`` leaves the lookups to the caller."""
    monkeypatch.setattr(codec, "INDEX_PASS_FACTOR", factor)
    with h5py.File(tmp_path / "f.h5", "w") as handle:
        dataset = _dataset(handle, PIPELINES["shuffle+deflate"])
        written = {0: [0, 3], 1: [], 2: [1, 2, 4]}
        for column, chunks in written.items():
            for chunk in chunks:
                dataset[chunk * ROWS:(chunk + 1) * ROWS, column] = _values(chunk)
        for column, chunks in written.items():
            rows = codec.stored_chunk_rows(dataset, column)
            assert rows.tolist() == [chunk * ROWS for chunk in chunks]
            for chunk in range(5):
                assert codec.chunk_is_stored(dataset, (chunk * ROWS, column)) == \
                    (chunk in chunks)
            without_lookups = codec.stored_chunk_rows(dataset, column, lookups=False)
            if factor:
                assert without_lookups.tolist() == rows.tolist()
            else:
                assert without_lookups is None
        offsets, sizes, masks = codec.chunk_index(dataset)
        assert [(offsets[:, column] >= 0).nonzero()[0].tolist()
                for column in written] == list(written.values())
        assert (sizes[offsets < 0] == 0).all()
        assert codec.read_stored_chunk(dataset, (ROWS, 1)) is None
