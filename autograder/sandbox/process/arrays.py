"""A job's bytes in the zygote: the calls' arrays (kept, placed in the child's memfd, compared
once it is dead) and the mappings that hold a job's bytes without any child inheriting them.
"""

import mmap
import os

from autograder.sandbox.process.system import CHUNK, PAGE, SLOT


def _sealed_start(open_size):
    """Where the hidden calls' arrays start in a job's memfd (the open calls' fill the start)."""
    return -open_size % PAGE + open_size


class _Shared:
    """The arrays of one job's calls, as the grader sent them: part 0 (the open calls') and
    part 1 (the hidden calls'), each ``(count, 0)``, ``(offset, size)`` per array, then the
    bytes. Kept in :class:`_Buffer` mappings (no child inherits them); :meth:`place` writes a
    part's bytes into the job's memfd, where the child's arrays are views on them, and
    :meth:`changed`, once the child is dead, compares the memfd with these bytes."""

    def __init__(self):
        self.parts = [None, None]  # (buffer, [(offset, size)], data start, data size)
        self.placed = [False, False]

    def read(self, k, fd, size):
        if not size:
            return
        buffer = _Buffer(size)
        self.parts[k] = (buffer, [], 0, 0)  # closed with the others, whatever happens next
        buffer.fill_from(fd)
        (count, _) = SLOT.unpack_from(buffer.view, 0)
        start = SLOT.size * (count + 1)
        if start > size:
            raise ValueError("malformed shared arrays")
        slots = list(SLOT.iter_unpack(buffer.view[SLOT.size:start]))
        if any(offset + length > size - start for offset, length in slots):
            raise ValueError("malformed shared arrays")
        self.parts[k] = (buffer, slots, start, size - start)

    def size(self, k):
        return self.parts[k][3] if self.parts[k] else 0

    def _base(self, k):
        return 0 if k == 0 else _sealed_start(self.size(0))

    def place(self, k, memfd):
        """Write part ``k`` into ``memfd`` (sized to end with it)."""
        if self.parts[k] is None:
            return
        buffer, _, start, size = self.parts[k]
        base = self._base(k)
        os.ftruncate(memfd, base + size)
        written = 0
        while written < size:
            written += os.pwrite(memfd, buffer.view[start + written:start + size], base + written)
        self.placed[k] = True

    def changed(self, memfd):
        """Indices (part 0's arrays first) of the placed arrays whose bytes in ``memfd`` are not
        the bytes sent; an array the memfd no longer reaches (the job shrank it) counts as changed."""
        changed, index = [], 0
        for k, part in enumerate(self.parts):
            if part is None:
                continue
            buffer, slots, start, size = part
            if self.placed[k]:
                now = _Buffer(size)
                try:
                    got = _read_at(memfd, now, self._base(k))
                    if got < size or not _same(now.view, 0, buffer.view, start, size):  # else none
                        changed += [index + n for n, (offset, length) in enumerate(slots)
                                    if offset + length > got
                                    or not _same(now.view, offset, buffer.view, start + offset, length)]
                finally:
                    now.close()
            index += len(slots)
        return changed

    def close(self):
        for part in self.parts:
            if part is not None:
                part[0].close()


def _read_at(fd, buffer, offset):
    """Fill ``buffer`` from ``fd`` at ``offset`` (up to its end); the count of bytes read."""
    while buffer.used < buffer.capacity:
        got = os.preadv(fd, [buffer.view[buffer.used:buffer.capacity]], offset + buffer.used)
        if not got:
            break
        buffer.used += got
    return buffer.used


def _same(a, i, b, j, n):
    """Whether ``a[i:i + n]`` and ``b[j:j + n]`` (memoryviews) hold the same bytes, compared in
    place (8 bytes at a time, then the rest)."""
    whole = n - n % 8
    if whole and a[i:i + whole].cast("Q") != b[j:j + whole].cast("Q"):
        return False
    return a[i + whole:i + n] == b[j + whole:j + n]


class _Buffer:
    """Bytes of one job kept in an anonymous mapping, unmapped (so gone) when closed: no
    job's inputs, results or output linger in the zygote's heap for a later child to find."""

    def __init__(self, capacity):
        self.capacity, self.used = capacity, 0
        # private: a shared anonymous mapping would be a shmem file made and freed per job
        self.map = mmap.mmap(-1, max(capacity, 1), flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self.map.madvise(mmap.MADV_DONTFORK)  # never in a child forked while it is mapped
        self.view = memoryview(self.map)

    def fill_from(self, fd):
        """Read exactly ``capacity`` bytes from ``fd`` (blocking)."""
        while self.used < self.capacity:
            got = os.readv(fd, [self.view[self.used:min(self.capacity, self.used + CHUNK)]])
            if not got:
                raise EOFError
            self.used += got

    def read_from(self, fd):
        """One read from ``fd`` into the free space; the count (0 at EOF), or None when full."""
        if self.used >= self.capacity:
            return None
        got = os.readv(fd, [self.view[self.used:min(self.capacity, self.used + CHUNK)]])
        self.used += got
        return got

    def close(self):
        if self.map is not None:
            self.view.release()
            self.map.close()
            self.map = None
