"""The results folder of a sweep: identity, design, Parquet part files and an append-only manifest.

Layout::

    DIR/sweep.json          what the sweep is (experiment, design fingerprint, seeds, layout); written once
    DIR/design.parquet      the design points
    DIR/parts/part-NNNNNN.parquet   outcome rows of one task
    DIR/manifest.jsonl      one line per finished part: file, rows, SHA-256, failures
    DIR/provenance.json     versions, git commit, times, executor of every session

A part is written to a temporary name, flushed to disk, renamed into place, and only then listed in the
manifest, so a listed part is always whole and a crash loses at most the parts in flight. Nothing here
ever overwrites a file it did not write: a folder from another experiment, a changed experiment, a part
file that does not match its manifest line or a part file from elsewhere is an :class:`InputError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wargame.errors import InputError
from wargame.experiments._files import atomic_write_bytes, atomic_write_text, output_error
from wargame.experiments._tasks import TaskOutput

__all__ = [
    "FORMAT",
    "PartEntry",
    "SweepStore",
    "atomic_write_text",
    "is_sweep_folder",
    "output_error",
    "stored_runs_per_part",
]

FORMAT = "wargame-sweep/1"
SWEEP_FILE = "sweep.json"
DESIGN_FILE = "design.parquet"
MANIFEST_FILE = "manifest.jsonl"
PROVENANCE_FILE = "provenance.json"
LOCK_FILE = ".lock"
PARTS_DIR = "parts"
_PART_NAME = re.compile(r"^part-(\d{6,})\.parquet$")
_META_SWEEP_ID = b"wargame.sweep_id"
_META_PART = b"wargame.part"

# Fields of sweep.json that must match for a resume, with what a mismatch means to a user.
_IDENTITY_FIELDS: dict[str, str] = {
    "experiment_name": "it holds results of another experiment",
    "experiment_sha256": "the experiment file changed since the sweep started",
    "design_sha256": "the design points differ from the sweep's",
    "replications": "the number of replications differs",
    "root_seed": "the root seed differs",
    "common_seeds": "common_seeds differs",
    "outcomes": "the outcomes to keep differ",
    "runs_per_part": "the runs per part differ",
    "total_runs": "the number of runs differs",
    "identity": "the experiment's inputs changed since the sweep started",
}


# Header fields added after the format's first release, with the value older sweeps had.
_HEADER_DEFAULTS: dict[str, Any] = {"common_seeds": False}


def part_file_name(part: int) -> str:
    return f"part-{part:06d}.parquet"


def is_sweep_folder(path: str | Path) -> bool:
    """Return whether ``path`` is a folder holding a sweep's ``sweep.json``."""
    return (Path(path) / SWEEP_FILE).is_file()


def stored_runs_per_part(path: str | Path) -> int | None:
    """Return the part size a sweep folder was started with, or None if ``path`` is not a sweep folder.

    Raises:
        InputError: If its ``sweep.json`` is corrupt or of another format.
    """
    if not is_sweep_folder(path):
        return None
    runs_per_part = _read_header(Path(path)).get("runs_per_part")
    return runs_per_part if isinstance(runs_per_part, int) and runs_per_part > 0 else None


@dataclass(frozen=True)
class PartEntry:
    """One manifest line: a finished part."""

    part: int
    file: str
    rows: int
    failed: int
    sha256: str
    failures: list[dict[str, Any]] = field(default_factory=list)
    compute_seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(
            {
                "part": self.part,
                "file": self.file,
                "rows": self.rows,
                "failed": self.failed,
                "sha256": self.sha256,
                "compute_seconds": round(self.compute_seconds, 6),
                "failures": self.failures,
            },
            separators=(",", ":"),
        )


class SweepStore:
    """Reads and writes one sweep's results folder. Use :meth:`create`, :meth:`resume` or :meth:`open`."""

    def __init__(
        self, root: Path, header: dict[str, Any], entries: dict[int, PartEntry], writable: bool
    ) -> None:
        self.root = root
        self.header = header
        self.entries = entries
        self._writable = writable
        # The Arrow schema of the parts written so far, with the pandas dtypes it was made from: a part
        # with the same columns and dtypes is converted column by column against it, skipping the
        # per-part pandas introspection of Table.from_pandas (most of the parent's work in a sweep).
        self._part_layout: tuple[tuple[Any, ...], pa.Schema] | None = None
        self._lock_handle: io.TextIOWrapper | None = None

    # --- opening ----------------------------------------------------------------------------------------

    @classmethod
    def create(cls, root: str | Path, header: dict[str, Any], design_points: pd.DataFrame) -> SweepStore:
        """Start a new sweep in ``root``, which must not exist or be empty.

        Raises:
            InputError: If ``root`` already holds a sweep or any other file.
        """
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise InputError("exists and is not a folder", source=str(root))
        if is_sweep_folder(root):
            raise InputError(
                f"already holds the results of sweep {_read_header(root).get('experiment_name')!r}; "
                "add --resume to continue it, or choose another output folder",
                source=str(root),
            )
        if root.exists() and any(root.iterdir()):
            raise InputError(
                "is not empty and holds no sweep; choose an empty or new folder", source=str(root)
            )
        root.mkdir(parents=True, exist_ok=True)
        store = cls(root, {"format": FORMAT, "sweep_id": uuid.uuid4().hex, **header}, {}, writable=True)
        store._lock()
        (root / PARTS_DIR).mkdir(exist_ok=True)
        atomic_write_text(root / SWEEP_FILE, json.dumps(store.header, indent=2) + "\n")
        store._write_design(design_points)
        (root / MANIFEST_FILE).touch()
        return store

    @classmethod
    def resume(cls, root: str | Path, header: dict[str, Any], design_points: pd.DataFrame) -> SweepStore:
        """Continue the sweep in ``root``; start one if ``root`` is missing or empty.

        Raises:
            InputError: If ``root`` holds another experiment, the experiment or design changed, or a part
                file is truncated, altered or foreign.
        """
        root = Path(root)
        if not is_sweep_folder(root) and (not root.exists() or (root.is_dir() and not any(root.iterdir()))):
            return cls.create(root, header, design_points)
        stored = {**_HEADER_DEFAULTS, **_read_header(root)}
        for name, meaning in _IDENTITY_FIELDS.items():
            if name == "identity" and stored.get(name) != header.get(name):
                before, now = stored.get(name) or {}, header.get(name) or {}
                changed = sorted(key for key in {*before, *now} if before.get(key) != now.get(key))
                raise InputError(
                    f"cannot resume: {meaning} ({', '.join(changed)} differs); nothing was changed",
                    source=str(root),
                    field=changed[0],
                )
            if stored.get(name) != header.get(name):
                raise InputError(
                    f"cannot resume: {meaning} (stored {stored.get(name)!r}, now {header.get(name)!r}); "
                    "nothing was changed",
                    source=str(root),
                    field=name,
                )
        store = cls(root, stored, {}, writable=True)
        store._lock()
        store.entries = store._read_manifest(repair_tail=True)
        store._verify_parts(remove_temporaries=True)
        if not (root / DESIGN_FILE).is_file():
            store._write_design(design_points)
        return store

    @classmethod
    def open(cls, root: str | Path) -> SweepStore:
        """Open a sweep folder read-only, verifying every listed part.

        Raises:
            InputError: If ``root`` is not a sweep folder or a part file is truncated, altered or foreign.
        """
        root = Path(root)
        if not root.is_dir():
            raise InputError("no such folder", source=str(root))
        store = cls(root, _read_header(root), {}, writable=False)
        store.entries = store._read_manifest(repair_tail=False)
        store._verify_parts(remove_temporaries=False)
        return store

    def close(self) -> None:
        """Release the folder's lock."""
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _lock(self) -> None:
        handle = open(self.root / LOCK_FILE, "a+")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise InputError("another sweep is writing to this folder now", source=str(self.root)) from None
        self._lock_handle = handle

    # --- writing ----------------------------------------------------------------------------------------

    def _write_design(self, design_points: pd.DataFrame) -> None:
        buffer = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(design_points.reset_index(), preserve_index=False), buffer)
        atomic_write_bytes(self.root / DESIGN_FILE, buffer.getvalue().to_pybytes())

    def write_part(self, output: TaskOutput) -> PartEntry:
        """Write a finished task's rows as a part file, then list it in the manifest.

        Raises:
            RuntimeError: If the part is listed already (a sweep never writes a part twice).
        """
        if not self._writable:
            raise RuntimeError("this sweep folder was opened read-only")
        if output.part in self.entries:
            raise RuntimeError(f"part {output.part} is already in the manifest")
        table = self._arrow_table(output.rows)
        metadata = dict(table.schema.metadata or {})
        metadata[_META_SWEEP_ID] = self.header["sweep_id"].encode()
        metadata[_META_PART] = str(output.part).encode()
        table = table.replace_schema_metadata(metadata)
        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer)
        data = buffer.getvalue().to_pybytes()
        relative = f"{PARTS_DIR}/{part_file_name(output.part)}"
        atomic_write_bytes(self.root / relative, data)
        entry = PartEntry(
            part=output.part,
            file=relative,
            rows=len(output.rows),
            failed=len(output.failures),
            sha256=hashlib.sha256(data).hexdigest(),
            failures=output.failures,
            compute_seconds=output.compute_seconds,
        )
        with open(self.root / MANIFEST_FILE, "ab") as manifest:
            start = manifest.tell()
            try:
                manifest.write((entry.to_json() + "\n").encode("utf-8"))
                manifest.flush()
                os.fsync(manifest.fileno())
            except OSError:
                manifest.truncate(start)  # no half line: the part stays unlisted and is run again
                raise
        self.entries[output.part] = entry
        return entry

    def _arrow_table(self, rows: pd.DataFrame) -> pa.Table:
        """Return ``pa.Table.from_pandas(rows, preserve_index=False)``, reusing earlier parts' schema."""
        dtypes = (tuple(rows.columns), tuple(rows.dtypes))
        if self._part_layout is not None and self._part_layout[0] == dtypes:
            schema = self._part_layout[1]
            arrays = [
                pa.array(rows[name].to_numpy(), type=schema.field(name).type, from_pandas=True)
                for name in schema.names
            ]
            return pa.Table.from_arrays(arrays, schema=schema)
        table = pa.Table.from_pandas(rows, preserve_index=False)
        self._part_layout = (dtypes, table.schema)
        return table

    # --- reading ----------------------------------------------------------------------------------------

    def _read_manifest(self, *, repair_tail: bool) -> dict[int, PartEntry]:
        path = self.root / MANIFEST_FILE
        if not path.is_file():
            raise InputError("the sweep's manifest.jsonl is missing", source=str(self.root))
        raw = path.read_bytes()
        lines = raw.split(b"\n")
        complete, tail = lines[:-1], lines[-1]
        entries: dict[int, PartEntry] = {}
        for number, line in enumerate(complete, start=1):
            try:
                entry = PartEntry(**json.loads(line))
            except (ValueError, TypeError) as error:
                raise InputError(f"corrupt manifest line: {error}", source=f"{path}:{number}") from None
            if entry.part in entries:
                raise InputError(f"part {entry.part} is listed twice", source=f"{path}:{number}")
            if entry.part < 0 or entry.part >= self.header["parts"]:
                raise InputError(f"part {entry.part} is not a part of this sweep", source=f"{path}:{number}")
            entries[entry.part] = entry
        if tail and repair_tail:
            # A crash while appending left half a line: drop it so that the next line starts clean.
            with open(path, "r+b") as manifest:
                manifest.truncate(len(raw) - len(tail))
                os.fsync(manifest.fileno())
        return entries

    def _verify_parts(self, *, remove_temporaries: bool) -> None:
        parts_dir = self.root / PARTS_DIR
        listed = {Path(entry.file).name for entry in self.entries.values()}
        for entry in self.entries.values():
            path = self.root / entry.file
            if not path.is_file():
                raise InputError(
                    f"part file {entry.file} listed in the manifest is missing", source=str(self.root)
                )
            if hashlib.sha256(path.read_bytes()).hexdigest() != entry.sha256:
                raise InputError(
                    f"part file {entry.file} does not match the manifest (truncated or replaced); "
                    "nothing was changed",
                    source=str(self.root),
                )
        if not parts_dir.is_dir():
            return
        for path in sorted(parts_dir.iterdir()):
            if path.name.endswith(".tmp") and _PART_NAME.match(path.name.removesuffix(".tmp")):
                if remove_temporaries:
                    path.unlink()  # our own half-written part from a killed sweep
                continue
            if path.name in listed or not path.name.endswith(".parquet"):
                continue
            self._check_unlisted_part(path)

    def _check_unlisted_part(self, path: Path) -> None:
        """An unlisted part is ours if a crash came between its rename and its manifest line."""
        match = _PART_NAME.match(path.name)
        try:
            metadata = pq.read_schema(path).metadata or {}
        except (pa.ArrowInvalid, OSError):
            metadata = None
        ours = (
            match is not None
            and metadata is not None
            and metadata.get(_META_SWEEP_ID) == self.header["sweep_id"].encode()
            and metadata.get(_META_PART) == str(int(match.group(1))).encode()
        )
        if not ours:
            raise InputError(
                f"part file {PARTS_DIR}/{path.name} is not from this sweep (foreign or truncated); "
                "remove it or choose another folder; nothing was changed",
                source=str(self.root),
            )

    def finished_parts(self) -> set[int]:
        return set(self.entries)

    def iter_parts(self) -> Iterator[pd.DataFrame]:
        """Yield the rows of every finished part, in part order."""
        for part in sorted(self.entries):
            yield pq.read_table(self.root / self.entries[part].file).to_pandas()

    def read_design(self) -> pd.DataFrame:
        path = self.root / DESIGN_FILE
        if not path.is_file():
            raise InputError("the sweep's design.parquet is missing", source=str(self.root))
        return pq.read_table(path).to_pandas().set_index("point")

    def read_failures(self) -> pd.DataFrame:
        """Return one row per failed run: point, replication, seed, error, traceback, attempts."""
        records = [failure for part in sorted(self.entries) for failure in self.entries[part].failures]
        columns = ["point", "replication", "seed", "error", "traceback", "attempts"]
        frame = pd.DataFrame.from_records(records, columns=columns)
        if not frame.empty:
            frame["seed"] = frame["seed"].astype("uint64")
        return frame.sort_values(["point", "replication"], ignore_index=True)


def _read_header(root: Path) -> dict[str, Any]:
    path = root / SWEEP_FILE
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("is not a sweep results folder (no sweep.json)", source=str(root)) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"corrupt sweep.json: {error}", source=str(path)) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} results folder", source=str(path))
    return header


@contextlib.contextmanager
def opened(root: str | Path) -> Iterator[SweepStore]:
    """Open a sweep folder read-only for the duration of a ``with`` block."""
    store = SweepStore.open(root)
    try:
        yield store
    finally:
        store.close()
