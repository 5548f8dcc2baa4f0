# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checksum database (sum.golang.org) as a mirror serves it: lookups, tiles, latest, supported.

A Go client with GOSUMDB=sum.golang.org and GOPROXY=<mirror> asks
`<mirror>/sumdb/<name>/supported`, then `/lookup/<module>@<version>` for every module it
downloads without a go.sum line, and the tiles (`/tile/8/<level>/<n>[.p/<width>]`) that prove
the record is in the newest tree it has seen. Which tree that is depends on the order of its
lookups (each lookup answer carries the signed tree it was made in), so the mirror carries the
tiles for every order: every record checked at every tree at least as new as its own, and every
older tree checked against every newer one (Go's consistency check). The tile arithmetic is a port
of golang.org/x/mod/sumdb/tlog.

Everything captured is verified before it enters the mirror: every tile against the signed tree
hashes (as Go's tileHashReader does), every record against the tiles, every older tree against
every newer one, and every lookup's h1: lines against the hashes the mirror computed from the
module files. The notes' signatures are checked by the client's go with its built-in key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib

from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

HEIGHT = 8
HASH_SIZE = 32
DEFAULT_NAME = "sum.golang.org"
EMPTY_HASH = hashlib.sha256(b"").digest()
# Largest answer accepted for a lookup, tile or note (a full tile is 8 KiB).
MAX_ANSWER = 1 << 20
TREE_PREFIX = b"go.sum database tree\n"


def sumdb_name(gosumdb):
    """GOSUMDB -> the database name ('sum.golang.org+<key> <url>' -> 'sum.golang.org'); None for off."""
    value = (gosumdb if gosumdb is not None else DEFAULT_NAME).strip()
    if value in ("", "off"):
        return None
    name = value.split()[0].split("+", 1)[0]
    if not name or "/" in name or name in (".", ".."):
        raise GofleetError("gosumdb: %r does not name a checksum database" % gosumdb)
    return name


def proxy_urls(goproxy):
    """The http(s) proxies of a GOPROXY list, in order ('off', 'direct' and file:// left out)."""
    out = []
    for part in (goproxy or "").replace("|", ",").split(","):
        part = part.strip().rstrip("/")
        if part.startswith(("http://", "https://")):
            out.append(part)
    return out


def lookup_rel(name, path, version):
    return "sumdb/%s/lookup/%s@%s" % (name, gp.escape_path(path), gp.escape_version(version))


# --- tlog arithmetic (golang.org/x/mod/sumdb/tlog) ----------------------------------------

def record_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def stored_hash_index(level, n):
    n = ((n + 1) << level) - 1  # n = 2n+1, level times
    i = 0
    while n > 0:
        i += n
        n >>= 1
    return i + level


def _trailing_zeros(n):
    return (n & -n).bit_length() - 1 if n else 64


def split_stored_hash_index(index):
    n = index // 2
    index_n = stored_hash_index(0, n)
    while True:
        x = index_n + 1 + _trailing_zeros(n + 1)
        if x > index:
            break
        n += 1
        index_n = x
    level = index - index_n
    return level, n >> level


def tile_for_index(h, index):
    """(tile, start, end): the tile (H, L, N, W) holding stored hash `index`, and its byte range."""
    level, n = split_stored_hash_index(index)
    tl = level // h
    level -= tl * h
    tn = n << level >> h
    n -= tn << h >> level
    return (h, tl, tn, (n + 1) << level), (n << level) * HASH_SIZE, ((n + 1) << level) * HASH_SIZE


def tile_parent(tile, k, size):
    h, level, n = tile[:3]
    level += k
    n >>= k * h
    w = 1 << h
    top = size >> (level * h)
    if (n << h) + w >= top:
        if (n << h) >= top:
            return None
        w = top - (n << h)
    return (h, level, n, w)


def tile_path(tile):
    h, level, n, w = tile
    text = "%03d" % (n % 1000)
    while n >= 1000:
        n //= 1000
        text = "x%03d/%s" % (n % 1000, text)
    return "tile/%d/%s/%s%s" % (h, "data" if level == -1 else level, text, "" if w == 1 << h else ".p/%d" % w)


def _maxpow2(n):
    level = 0
    while 1 << (level + 1) < n:
        level += 1
    return 1 << level, level


def sub_tree_index(lo, hi):
    need = []
    while lo < hi:
        k, level = _maxpow2(hi - lo + 1)
        need.append(stored_hash_index(level, lo >> level))
        lo += k
    return need


def _tile_hash(data):
    if len(data) == HASH_SIZE:
        return data
    half = len(data) // 2
    return node_hash(_tile_hash(data[:half]), _tile_hash(data[half:]))


def _hash_from_tile(tile, data, index):
    t1, start, end = tile_for_index(tile[0], index)
    if t1[1:3] != tile[1:3] or tile[3] < t1[3]:
        raise GofleetError("sumdb: stored hash %d is not in %s" % (index, tile_path(tile)))
    return _tile_hash(data[start:end])


def plan_tiles(size, indexes, h=HEIGHT):
    """The tiles Go's tileHashReader reads for `indexes` in a tree of `size` records:
    (tiles, stx, stx_order, index_order)."""
    order = {}
    tiles = []
    stx = sub_tree_index(0, size)
    stx_order = []
    for x in stx:
        tile = tile_parent(tile_for_index(h, x)[0], 0, size)
        if tile not in order:
            order[tile] = len(tiles)
            tiles.append(tile)
        stx_order.append(order[tile])
    index_order = []
    for x in indexes:
        if x >= stored_hash_index(0, size):
            raise GofleetError("sumdb: stored hash %d is not in a tree of %d records" % (x, size))
        tile = tile_for_index(h, x)[0]
        k = 0
        while tile_parent(tile, k, size) not in order:
            k += 1
        at = order[tile_parent(tile, k, size)] if k == 0 else None
        for k in range(k - 1, -1, -1):
            p = tile_parent(tile, k, size)
            order[p] = len(tiles)
            if k == 0:
                at = len(tiles)
            tiles.append(p)
        index_order.append(at)
    return tiles, stx, stx_order, index_order


def read_hashes(tree, indexes, tile_data, h=HEIGHT):
    """The stored hashes at `indexes` of `tree` (size, root hash), every tile read being
    authenticated against the root as Go does. tile_data(tile) gives a tile's bytes."""
    size, root = tree
    tiles, stx, stx_order, index_order = plan_tiles(size, indexes, h)
    data = []
    for tile in tiles:
        blob = tile_data(tile)
        if len(blob) != tile[3] * HASH_SIZE:
            raise GofleetError("sumdb: %s has %d bytes, want %d" % (tile_path(tile), len(blob), tile[3] * HASH_SIZE))
        data.append(blob)
    top = None
    for i in range(len(stx) - 1, -1, -1):
        at = stx_order[i]
        value = _hash_from_tile(tiles[at], data[at], stx[i])
        top = value if top is None else node_hash(value, top)
    if top != root:
        raise GofleetError("sumdb: the tiles of tree %d do not hash to its signed root" % size)
    order = dict((tile, i) for i, tile in enumerate(tiles))
    for i in range(stx_order[-1] + 1, len(tiles)):
        p = tile_parent(tiles[i], 1, size)
        if p not in order or _hash_from_tile(p, data[order[p]], stored_hash_index(p[1] * p[0], tiles[i][2])) \
                != _tile_hash(data[i]):
            raise GofleetError("sumdb: %s is inconsistent with tree %d" % (tile_path(tiles[i]), size))
    return [_hash_from_tile(tiles[at], data[at], x) for at, x in zip(index_order, indexes)]


def tree_hash(n, tree, tile_data, h=HEIGHT):
    """The root of the first n records, read from `tree`'s tiles (Go's TreeHash)."""
    if n == 0:
        return EMPTY_HASH
    hashes = read_hashes(tree, sub_tree_index(0, n), tile_data, h)
    top = hashes[-1]
    for value in reversed(hashes[:-1]):
        top = node_hash(value, top)
    return top


# --- answers ------------------------------------------------------------------------------

def parse_tree_note(note, label):
    """A signed tree note ('go.sum database tree\\n<N>\\n<hash>\\n\\n— <sigs>') -> (N, hash)."""
    if not note.startswith(TREE_PREFIX) or note.count(b"\n") < 3 or len(note) > MAX_ANSWER:
        raise GofleetError("sumdb: %s is not a signed tree note" % label)
    lines = note.split(b"\n", 3)
    try:
        size = int(lines[1].decode("ascii"))
        root = base64.b64decode(lines[2], validate=True)
    except (ValueError, UnicodeDecodeError):
        size, root = -1, b""
    if size < 0 or lines[1] != str(size).encode("ascii") or len(root) != HASH_SIZE:
        raise GofleetError("sumdb: %s is not a signed tree note" % label)
    return size, root


def parse_lookup(data, label):
    """A lookup answer -> (record id, record text, (tree size, root), note bytes)."""
    head, rest = data.partition(b"\n")[::2]
    text, sep, note = rest.partition(b"\n\n")
    try:
        record = int(head.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        record = -1
    if record < 0 or not sep or not text:
        raise GofleetError("sumdb: %s is not a lookup answer" % label)
    return record, text + b"\n", parse_tree_note(note, label), note


def check_record_lines(text, entry, label):
    """The record's `mod ver h1:` and `mod ver/go.mod h1:` lines must be what the mirror serves."""
    lines = {}
    for line in text.decode("utf-8", "replace").splitlines():
        fields = line.split()
        if len(fields) == 3:
            lines[(fields[0], fields[1])] = fields[2]
    for suffix, field in (("", "h1"), ("/go.mod", "h1_mod")):
        want = lines.get((entry["module"], entry["version"] + suffix))
        # The zip's hash only where the mirror serves the zip (a /go.mod-only version has none);
        # the .mod's always: every mirrored version has one, so the record is always tied to a file.
        if (field == "h1_mod" or entry.get(field)) and want != entry.get(field):
            raise GofleetError("checksum mismatch for %s@%s%s: %s says %s, the mirror's file hashes to %s"
                               % (entry["module"], entry["version"], suffix, label, want, entry[field]))


def _add_tree(trees, tree):
    """trees: {size: tree}. One log has one tree per size: a second root for a size is a fork."""
    if trees.setdefault(tree[0], tree) != tree:
        raise GofleetError("sumdb: two different trees of size %d (a forked or tampered checksum database)" % tree[0])


class Capture(object):
    """What a mirror must carry of one checksum database, and where each piece comes from.

    read_have(rel) -> bytes or None: what the mirror (or this run's export) already holds.
    fetch(rel) -> bytes: the answer of the upstream proxy for `<proxy>/<rel>`.
    """

    def __init__(self, name, read_have, fetch, fetch_many=None):
        self.name = name
        self.read_have = read_have
        self.fetch = fetch
        self.fetch_many = fetch_many or (lambda rels: dict((rel, fetch(rel)) for rel in rels))
        self.files = {}      # rel -> bytes this run adds
        self.tiles = {}

    def _get(self, rel):
        have = self.read_have(rel)
        if have is None:
            have = self.files.get(rel)
        if have is None:
            have = self.fetch(rel)
            self.files[rel] = have
        return have

    def _tile(self, tile):
        return self.tiles[tile]

    def run(self, modules):
        """modules: the mirror's index entries. Returns {rel: bytes} of the new sumdb files."""
        base = "sumdb/%s/" % self.name
        records = []
        trees = {}
        for key in sorted(modules):
            entry = modules[key]
            rel = lookup_rel(self.name, entry["module"], entry["version"])
            record, text, tree, note = parse_lookup(self._get(rel), rel)
            check_record_lines(text, entry, "the checksum database")
            records.append((record, text, tree[0]))
            _add_tree(trees, tree)
        _add_tree(trees, parse_tree_note(self._get(base + "latest"), base + "latest"))
        self._get(base + "supported")
        sizes = sorted(trees)
        # What Go reads in any order of lookups: each record in every tree as new as its own,
        # each older tree against every newer one.
        for size in sizes:
            indexes = [stored_hash_index(0, r[0]) for r in records if r[2] <= size]
            indexes += [x for older in sizes if older < size for x in sub_tree_index(0, older)]
            for tile in plan_tiles(size, indexes)[0]:
                self.tiles.setdefault(tile, None)
        missing = []
        for tile in self.tiles:
            have = self.read_have(base + tile_path(tile))
            if have is None:
                missing.append(base + tile_path(tile))
            self.tiles[tile] = have
        fetched = self.fetch_many(sorted(missing)) if missing else {}
        self.files.update(fetched)
        for tile in self.tiles:
            if self.tiles[tile] is None:
                self.tiles[tile] = fetched[base + tile_path(tile)]
        for size in sizes:
            tree = trees[size]
            mine = [r for r in records if r[2] <= size]
            got = read_hashes(tree, [stored_hash_index(0, r[0]) for r in mine], self._tile)
            for (record, text, own_tree), value in zip(mine, got):
                if value != record_hash(text):
                    raise GofleetError("sumdb: record %d (%s) is not in tree %d" % (record, text.split(b"\n")[0], size))
            for older in sizes:
                if older < size and tree_hash(older, tree, self._tile) != trees[older][1]:
                    raise GofleetError("sumdb: tree %d is not contained in tree %d" % (older, size))
        return self.files
