"""The chunk writer: direct shuffle+deflate chunk writes read back identically by h5py and
PyTables, partial chunks merged, all-NaN chunks not stored."""

import h5py
import numpy as np
import pytest

from genomedata.archive import layout as _layout
from genomedata.archive import codec
from genomedata.archive import writer as _writer

pytestmark = pytest.mark.kernels


@pytest.mark.parametrize("length,chunk", [(25001, 10000), (9999, 10000), (100, 7), (70, 7)])
def test_random_column_writes_match_model(tmp_path, length, chunk):
    rng = np.random.default_rng(length)
    with h5py.File(tmp_path / "w.h5", "w") as handle:
        ds = _layout.create_continuous(handle.create_group("sc"), length, 3, chunk)
        model = np.full((length, 3), np.nan, np.float32)
        with _writer.ChunkWriter(ds, threads=2) as writer:
            for _ in range(40):
                col = int(rng.integers(0, 3))
                a = int(rng.integers(0, length))
                b = int(rng.integers(a, length + 1))
                values = rng.normal(size=b - a).astype(np.float32)
                if rng.random() < 0.3:
                    values[:] = np.nan
                # no drain between writes: overlapping partial chunks must still merge
                writer.write_column(col, a, values)
                model[a:b, col] = values
        np.testing.assert_array_equal(ds[...], model)


def test_all_nan_chunks_are_not_stored(tmp_path):
    with h5py.File(tmp_path / "w.h5", "w") as handle:
        ds = _layout.create_continuous(handle.create_group("sc"), 30000, 1, 10000)
        values = np.full(30000, np.nan, np.float32)
        values[15000] = 1.5
        with _writer.ChunkWriter(ds) as writer:
            writer.write_column(0, 0, values)
        stored = [ds.id.get_chunk_info_by_coord((row, 0)).byte_offset is not None
                  for row in (0, 10000, 20000)]
        assert stored == [False, True, False]
        assert ds[15000, 0] == np.float32(1.5)
        assert np.isnan(ds[0, 0])


def test_nan_overwrites_a_stored_chunk(tmp_path):
    with h5py.File(tmp_path / "w.h5", "w") as handle:
        ds = _layout.create_continuous(handle.create_group("sc"), 100, 1, 10)
        with _writer.ChunkWriter(ds) as writer:
            writer.write_column(0, 0, np.arange(100, dtype=np.float32))
        with _writer.ChunkWriter(ds) as writer:
            writer.write_column(0, 10, np.full(10, np.nan, np.float32))
        assert np.isnan(ds[10:20, 0]).all()
        np.testing.assert_array_equal(ds[20:30, 0], np.arange(20, 30, dtype=np.float32))


def test_chunks_are_standard_shuffle_deflate(tmp_path):
    tables = pytest.importorskip("tables")
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(size=25000), 3).astype(np.float32)
    seq = rng.choice(np.frombuffer(b"ACGTN", np.uint8), 70000)
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as handle:
        group = handle.create_group("sc")
        ds = _layout.create_continuous(group, 25000, 1)
        with _writer.ChunkWriter(ds) as writer:
            writer.write_column(0, 0, values)
        _writer.write_seq(_layout.create_seq(group, len(seq)), seq)
        # the raw chunk is zlib data of the byte-shuffled values
        import zlib
        _, raw = ds.id.read_direct_chunk((10000, 0))
        unzipped = np.frombuffer(zlib.decompress(raw), np.uint8)
        expected = values[10000:20000].view(np.uint8).reshape(-1, 4).T.ravel()
        np.testing.assert_array_equal(unzipped, expected)
    with tables.open_file(str(path)) as handle:
        np.testing.assert_array_equal(handle.root.sc.continuous[:, 0], values)
        np.testing.assert_array_equal(handle.root.sc.seq[:], seq)


@pytest.mark.parametrize("options, expected", [
    (dict(shuffle=True, compression="gzip", compression_opts=1), (True, 1, 1, 2)),
    (dict(compression="gzip", compression_opts=4), (False, 4, 0, 1)),
    (dict(shuffle=True), (True, None, 1, 0)),
    (dict(), (False, None, 0, 0)),
    (dict(compression="lzf"), None),
    (dict(shuffle=True, compression="gzip", fletcher32=True), None),
    (dict(scaleoffset=2), None),
])
def test_chunk_pipeline_is_what_hdf5_stores(tmp_path, options, expected):
    """The one place that reads a dataset's filters: shuffle and/or deflate (with their bits
    in a chunk's filter mask) or None for pipelines HDF5 must handle; and HDF5 decodes what
    the writer encodes for each pipeline it accepts."""
    with h5py.File(tmp_path / "f.h5", "w") as handle:
        dataset = handle.create_dataset("d", shape=(100, 2), dtype="<f4", chunks=(10, 1),
                                        fillvalue=np.nan, **options)
        pipeline = codec.chunk_pipeline(dataset)
        if expected is None:
            assert pipeline is None and _writer.ChunkWriter(dataset).pipeline is None
            return
        assert (pipeline.shuffle, pipeline.level, pipeline.shuffle_bit,
                pipeline.deflate_bit) == expected
        values = np.arange(100, dtype=np.float32) / 7
        writer = _writer.ChunkWriter(dataset)
        writer.write_column(1, 0, values)
        writer.close()
        np.testing.assert_array_equal(dataset[:, 1], values)


@pytest.mark.parametrize("before", [None, "bitfield", "numpy-bool", "int64"])
def test_dirty_flag_is_a_bitfield_whatever_was_there(tmp_path, before):
    """The flag is written in place when it is already the format's 8-bit bitfield, and
    replaced by one when it is absent or of another type (PyTables reads numpy bools as
    None)."""
    path = tmp_path / "flag.h5"
    with h5py.File(path, "w") as handle:
        group = handle.create_group("chr1")
        if before == "bitfield":
            _layout.write_dirty(group, False)
        elif before == "numpy-bool":
            group.attrs["dirty"] = np.bool_(False)
        elif before == "int64":
            group.attrs["dirty"] = np.int64(0)
        for flag in (True, False, True):
            _layout.write_dirty(group, flag)
            attr = h5py.h5a.open(group.id, b"dirty")
            assert attr.get_type().get_class() == h5py.h5t.BITFIELD
            assert attr.get_type().get_size() == 1 and attr.shape == ()
            assert _layout.read_dirty(group) is flag
            assert list(group.attrs) == ["dirty"]
    tables = pytest.importorskip("tables")
    with tables.open_file(str(path)) as handle:
        assert bool(handle.root.chr1._v_attrs.dirty) is True


def test_write_array_writes_whole_chunks_at_an_offset(tmp_path):
    """write_array stores standard shuffle + deflate chunks that h5py reads back, for the
    whole dataset or one track's chunks at an offset; values that would cover part of a
    chunk (not at the dataset's end) are refused."""
    rng = np.random.default_rng(7)
    with h5py.File(tmp_path / "a.h5", "w") as handle:
        dataset = handle.create_dataset("d", shape=(10, 3, 4), dtype=np.float32,
                                        chunks=(4, 1, 4), shuffle=True, compression="gzip",
                                        compression_opts=1)
        whole = rng.normal(size=(10, 3, 4)).astype(np.float32)
        _writer.write_array(dataset, whole)
        np.testing.assert_array_equal(dataset[...], whole)
        column = rng.normal(size=(10, 1, 4)).astype(np.float32)
        _writer.write_array(dataset, column, (0, 2, 0))
        whole[:, 2:3] = column
        np.testing.assert_array_equal(dataset[...], whole)
        with pytest.raises(ValueError):
            _writer.write_array(dataset, column[:6], (0, 1, 0))    # ends inside a chunk
        with pytest.raises(ValueError):
            _writer.write_array(dataset, column[:4], (2, 1, 0))    # starts inside one
