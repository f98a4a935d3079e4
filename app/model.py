"""The ledger's vocabulary as the windows use it: read-only data types, constants and pure
functions of node/, named here so that ui/ depends on app/ alone (the import contracts in
pyproject.toml). Nothing here talks to a node; that is `app.session.Session`."""

from __future__ import annotations

from node.cardfile import CardFile, CardFileError, valid_pin
from node.compliance import RULES as COMPLIANCE_RULES
from node.compliance import custody_level
from node.compliance import doc_values as rule_limits
from node.compliance import settings as compliance_settings
from node.crypto import SigningKey
from node.ledger.cards import CARD_STATUSES
from node.ledger.rules import RULES as TX_KINDS
from node.ledger.tx import Tx
from node.receipt import ReceiptError
from node.receipt import to_qr as receipt_qr
from node.receipt import verify as verify_receipt

__all__ = ["CARD_STATUSES", "COMPLIANCE_RULES", "TX_KINDS", "CardFile", "CardFileError",
           "ReceiptError", "SigningKey", "Tx", "compliance_settings", "custody_level",
           "receipt_qr", "rule_limits", "valid_pin", "verify_receipt"]
