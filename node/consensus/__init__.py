"""PBFT as a pure state machine: no sockets, no clocks, no disk (see replica.py)."""

from node.consensus.replica import Replica
from node.consensus.types import Config

__all__ = ["Config", "Replica"]
