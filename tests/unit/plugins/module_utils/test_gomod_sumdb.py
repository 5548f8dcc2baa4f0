"""gomod_sumdb: Go's tlog tile arithmetic on a log built here, and the capture's checks."""

import base64
import hashlib

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import gomod_sumdb as gs
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

H = 2  # small tiles, so a log of a few dozen records has several tile levels


def subtree(records, level, n):
    """The hash of records [n*2^level, (n+1)*2^level), as RFC 6962 defines it."""
    if level == 0:
        return gs.record_hash(records[n])
    return gs.node_hash(subtree(records, level - 1, 2 * n), subtree(records, level - 1, 2 * n + 1))


def root(records, size):
    hashes, lo = [], 0
    while lo < size:
        k, level = gs._maxpow2(size - lo + 1)
        hashes.append(subtree(records, level, lo >> level))
        lo += k
    top = hashes[-1]
    for value in reversed(hashes[:-1]):
        top = gs.node_hash(value, top)
    return top


def tiles_of(records, size):
    """tile -> bytes, as a server of the log at `size` records serves them (ReadTileData)."""
    def data(tile):
        h, level, n, w = tile
        out = b""
        for i in range(w):
            x = (n << h) + i
            out += subtree(records, level * h, x)
        if ((n << h) + w) << (level * h) > size:
            raise KeyError(tile)
        return out
    return data


RECORDS = [("rec %d\n" % i).encode() for i in range(64)]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 16, 17, 37, 64])
def test_every_record_reads_back_against_the_signed_root(size):
    tree = (size, root(RECORDS, size))
    indexes = [gs.stored_hash_index(0, i) for i in range(size)]
    got = gs.read_hashes(tree, indexes, tiles_of(RECORDS, size), H)
    assert got == [gs.record_hash(r) for r in RECORDS[:size]]


@pytest.mark.parametrize("older, newer", [(1, 2), (3, 17), (16, 37), (36, 37), (5, 64)])
def test_older_tree_is_contained_in_newer(older, newer):
    tree = (newer, root(RECORDS, newer))
    assert gs.tree_hash(older, tree, tiles_of(RECORDS, newer), H) == root(RECORDS, older)


def test_a_changed_tile_is_refused():
    tree = (37, root(RECORDS, 37))
    good = tiles_of(RECORDS, 37)

    def bad(tile):
        data = good(tile)
        return data if tile[1] else bytes([data[0] ^ 1]) + data[1:]

    with pytest.raises(GofleetError, match="do not hash to its signed root|inconsistent"):
        gs.read_hashes(tree, [gs.stored_hash_index(0, 3)], bad, H)


@pytest.mark.parametrize("n, path", [
    ((8, 0, 5, 256), "tile/8/0/005"),
    ((8, 0, 259091, 83), "tile/8/0/x259/091.p/83"),
    ((8, 3, 0, 3), "tile/8/3/000.p/3"),
    ((8, 2, 1234567, 256), "tile/8/2/x001/x234/567"),
])
def test_tile_path_is_gos(n, path):
    assert gs.tile_path(n) == path


def test_split_inverts_stored_hash_index():
    for level in range(5):
        for n in range(40):
            assert gs.split_stored_hash_index(gs.stored_hash_index(level, n)) == (level, n)


@pytest.mark.parametrize("value, name", [(None, "sum.golang.org"), ("off", None), ("", None),
                                         ("sum.golang.org+033de0ae+Ac4z https://x", "sum.golang.org")])
def test_sumdb_name(value, name):
    assert gs.sumdb_name(value) == name


def test_proxy_urls_keeps_http_ones_in_order():
    assert gs.proxy_urls("file:///c,https://p1/|http://p2,direct,off") == ["https://p1", "http://p2"]


def note(size, digest):
    return b"go.sum database tree\n%d\n%s\n\n\xe2\x80\x94 sum.golang.org sig\n" % (size, base64.b64encode(digest))


def test_parse_lookup_and_record_lines():
    text = b"example.com/m v1.0.0 h1:zip=\nexample.com/m v1.0.0/go.mod h1:mod=\n"
    record, got, tree = gs.parse_lookup(b"7\n" + text + b"\n" + note(9, hashlib.sha256(b"x").digest()), "l")[:3]
    assert (record, got, tree[0]) == (7, text, 9)
    gs.check_record_lines(got, {"module": "example.com/m", "version": "v1.0.0", "h1": "h1:zip=", "h1_mod": "h1:mod="}, "db")
    with pytest.raises(GofleetError, match="checksum mismatch for example.com/m@v1.0.0/go.mod"):
        gs.check_record_lines(got, {"module": "example.com/m", "version": "v1.0.0", "h1": None, "h1_mod": "h1:other="}, "db")


@pytest.mark.parametrize("data", [b"", b"x\ny\n\n", b"7\ntext\n\nnot a note\n", b"7\ntext\n\ngo.sum database tree\n-1\nAA==\n"])
def test_parse_lookup_refuses_garbage(data):
    with pytest.raises(GofleetError, match="sumdb: l is not"):
        gs.parse_lookup(data, "l")


# --- Capture.run against a log served here (tile height 8, as sum.golang.org) --------------

LOG = [("example.com/m%d v1.0.0 h1:zip%d=\nexample.com/m%d v1.0.0/go.mod h1:mod%d=\n" % (i, i, i, i)).encode()
       for i in range(300)]


def served_log(trees):
    """rel -> bytes of a checksum database whose lookups were answered at the given tree sizes."""
    def tile_bytes(tile, size):
        h, level, n, w = tile
        return b"".join(subtree(LOG, level * h, (n << h) + i) for i in range(w))

    def fetch(rel):
        base = "sumdb/sum.golang.org/"
        assert rel.startswith(base), rel
        rel = rel[len(base):]
        if rel == "supported":
            return b""
        if rel == "latest":
            return note(300, root(LOG, 300))
        if rel.startswith("lookup/example.com/m"):
            i = int(rel.split("/m", 1)[1].split("@")[0])
            size = trees[i]
            return b"%d\n%s\n%s" % (i, LOG[i], note(size, root(LOG, size)))
        for size in sorted(set(trees.values()) | {300}):
            for tile in gs.plan_tiles(size, [gs.stored_hash_index(0, 0)])[0] + [
                    t for r in range(size) for t in gs.plan_tiles(size, [gs.stored_hash_index(0, r)])[0]]:
                if gs.tile_path(tile) == rel:
                    return tile_bytes(tile, size)
        raise KeyError(rel)
    return fetch


def entry(i, h1=None):
    return {"module": "example.com/m%d" % i, "version": "v1.0.0", "h1": h1 or "h1:zip%d=" % i, "h1_mod": "h1:mod%d=" % i}


def test_capture_takes_and_checks_every_piece():
    trees = {5: 100, 200: 260, 250: 300}
    fetch = served_log(trees)
    asked = []

    def recording(rel):
        asked.append(rel)
        return fetch(rel)

    files = gs.Capture("sum.golang.org", lambda rel: None, recording).run(
        dict(("m%d" % i, entry(i)) for i in trees))
    assert {"sumdb/sum.golang.org/supported", "sumdb/sum.golang.org/latest",
            "sumdb/sum.golang.org/lookup/example.com/m5@v1.0.0"} <= set(files)
    tiles = sorted(rel for rel in files if "/tile/" in rel)
    # record 5 in trees 100, 260 and 300; trees 100 and 260 against the newer ones
    assert "sumdb/sum.golang.org/tile/8/0/000.p/100" in tiles and "sumdb/sum.golang.org/tile/8/0/001.p/4" in tiles
    assert "sumdb/sum.golang.org/tile/8/0/000" in tiles and "sumdb/sum.golang.org/tile/8/1/000.p/1" in tiles
    assert len(asked) == len(set(asked))
    # What the mirror already holds is not fetched again.
    asked[:] = []
    again = gs.Capture("sum.golang.org", files.get, recording).run(dict(("m%d" % i, entry(i)) for i in trees))
    assert again == {} and asked == []


def test_capture_refuses_a_lookup_that_disagrees_with_the_mirror():
    fetch = served_log({5: 100})
    with pytest.raises(GofleetError, match="checksum mismatch for example.com/m5@v1.0.0: the checksum database says h1:zip5="):
        gs.Capture("sum.golang.org", lambda rel: None, fetch).run({"m5": entry(5, "h1:other=")})


def test_record_lines_need_the_mirrors_go_mod_hash():
    # Every mirrored version has a .mod, so an entry without its hash ties the record to nothing.
    text = b"example.com/m v1.0.0 h1:zip=\nexample.com/m v1.0.0/go.mod h1:mod=\n"
    with pytest.raises(GofleetError, match="checksum mismatch for example.com/m@v1.0.0/go.mod"):
        gs.check_record_lines(text, {"module": "example.com/m", "version": "v1.0.0", "h1": "h1:zip=", "h1_mod": None}, "db")
    with pytest.raises(GofleetError, match="checksum mismatch for example.com/m@v1.0.0/go.mod: db says None"):
        gs.check_record_lines(b"example.com/m v1.0.0 h1:zip=\n",
                              {"module": "example.com/m", "version": "v1.0.0", "h1": "h1:zip=", "h1_mod": "h1:mod="}, "db")


def test_capture_refuses_two_trees_of_one_size():
    # A lookup signed over another tree of the same size as latest is a fork, never the same log.
    fetch = served_log({5: 300})

    def forked(rel):
        if rel.endswith("/lookup/example.com/m5@v1.0.0"):
            return b"5\n%s\n%s" % (LOG[5], note(300, hashlib.sha256(b"fork").digest()))
        return fetch(rel)

    with pytest.raises(GofleetError, match="sumdb: two different trees of size 300"):
        gs.Capture("sum.golang.org", lambda rel: None, forked).run({"m5": entry(5)})


def test_capture_refuses_a_changed_tile():
    fetch = served_log({5: 100})

    def bad(rel):
        data = fetch(rel)
        return data[:-1] + bytes([data[-1] ^ 1]) if "/tile/8/0/" in rel else data

    with pytest.raises(GofleetError, match="sumdb: "):
        gs.Capture("sum.golang.org", lambda rel: None, bad).run({"m5": entry(5)})


class _Req(object):
    def __init__(self, upstream, gosumdb=None):
        self.upstream, self.gosumdb, self.path = upstream, gosumdb, "/nonexistent"


def test_sumdb_proxy_is_the_first_that_serves_it():
    from ansible_collections.gofleet.golang.plugins.module_utils import gomod_build

    asked = []

    def fetch(url):
        asked.append(url)
        if url.startswith("https://down"):
            raise GofleetError("cannot fetch %s: HTTP 404" % url)
        return b""

    req = _Req("file:///cache,https://down.example,https://proxy.example|direct")
    assert gomod_build.sumdb_proxy(req, fetch) == "https://proxy.example"
    assert asked == ["https://down.example/sumdb/sum.golang.org/supported", "https://proxy.example/sumdb/sum.golang.org/supported"]
    assert gomod_build.sumdb_proxy(_Req("file:///cache", "off"), fetch) is None


def test_no_proxy_serving_the_sumdb_fails_in_one_line():
    from ansible_collections.gofleet.golang.plugins.module_utils import gomod_build

    with pytest.raises(GofleetError) as failure:
        gomod_build.sumdb_proxy(_Req("file:///cache,direct"), lambda url: b"")
    assert "\n" not in failure.value.message and "set gosumdb: off" in failure.value.message
