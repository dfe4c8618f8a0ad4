"""Dependencies: the resources opened once in the lifespan, and the key checks (service/auth.py)."""

from __future__ import annotations

from litestar.datastructures import State

from index.collection import Collection
from index.parsing import ParserPool
from service.auth import require_admin, require_reader
from service.settings import Settings
from service.uploading import WriteLock

__all__ = [
    "provide_collection",
    "provide_parser",
    "provide_settings",
    "provide_write_lock",
    "require_admin",
    "require_reader",
]


def provide_collection(state: State) -> Collection:
    return state.collection


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_parser(state: State) -> ParserPool:
    return state.parser


def provide_write_lock(state: State) -> WriteLock:
    return state.write_lock
