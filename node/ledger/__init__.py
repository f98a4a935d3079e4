"""The deterministic state machine: transaction types, rules, execution, queries."""

from node.ledger.engine import OK, BlockResult, Ledger, LedgerError, TxResult
from node.ledger.errors import LedgerBug, Reason, Rejected
from node.ledger.genesis import Genesis, GenesisError
from node.ledger.tx import Tx

__all__ = ["OK", "BlockResult", "Genesis", "GenesisError", "Ledger", "LedgerBug",
           "LedgerError", "Reason", "Rejected", "Tx", "TxResult"]
