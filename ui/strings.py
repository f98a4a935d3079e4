"""Texts shown from data rather than code (column titles, row values such as a
statement line's type), marked here so that lupdate puts them in the translations.
tests/test_gui.py checks that every column title of ui/ is listed."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

COLUMNS = [
    QT_TRANSLATE_NOOP("Columns", "Card"),
    QT_TRANSLATE_NOOP("Columns", "Holder"),
    QT_TRANSLATE_NOOP("Columns", "Status"),
    QT_TRANSLATE_NOOP("Columns", "Balance"),
    QT_TRANSLATE_NOOP("Columns", "Points"),
    QT_TRANSLATE_NOOP("Columns", "Issued"),
    QT_TRANSLATE_NOOP("Columns", "Merchant"),
    QT_TRANSLATE_NOOP("Columns", "Name"),
    QT_TRANSLATE_NOOP("Columns", "Acquirer"),
    QT_TRANSLATE_NOOP("Columns", "Fee (bp)"),
    QT_TRANSLATE_NOOP("Columns", "Cut-off"),
    QT_TRANSLATE_NOOP("Columns", "Terminals"),
    QT_TRANSLATE_NOOP("Columns", "Time"),
    QT_TRANSLATE_NOOP("Columns", "Type"),
    QT_TRANSLATE_NOOP("Columns", "Order"),
    QT_TRANSLATE_NOOP("Columns", "Terminal"),
    QT_TRANSLATE_NOOP("Columns", "Amount"),
    QT_TRANSLATE_NOOP("Columns", "Card paid"),
    QT_TRANSLATE_NOOP("Columns", "Validator"),
    QT_TRANSLATE_NOOP("Columns", "State"),
    QT_TRANSLATE_NOOP("Columns", "Height"),
    QT_TRANSLATE_NOOP("Columns", "Behind"),
    QT_TRANSLATE_NOOP("Columns", "View"),
    QT_TRANSLATE_NOOP("Columns", "Primary"),
    QT_TRANSLATE_NOOP("Columns", "Connected peers"),
    QT_TRANSLATE_NOOP("Columns", "Queued"),
    QT_TRANSLATE_NOOP("Columns", "Longest stall (ms)"),
    QT_TRANSLATE_NOOP("Columns", "Last view change"),
    QT_TRANSLATE_NOOP("Columns", "Item"),
    QT_TRANSLATE_NOOP("Columns", "Qty"),
    QT_TRANSLATE_NOOP("Columns", "Price"),
    QT_TRANSLATE_NOOP("Columns", "Bank"),
    QT_TRANSLATE_NOOP("Columns", "Points held"),
    QT_TRANSLATE_NOOP("Columns", "Eligible goods"),
    QT_TRANSLATE_NOOP("Columns", "Points can pay"),
    QT_TRANSLATE_NOOP("Columns", "Difference"),
    QT_TRANSLATE_NOOP("Columns", "Till"),
    QT_TRANSLATE_NOOP("Columns", "Chain"),
    QT_TRANSLATE_NOOP("Columns", "Transaction"),
    QT_TRANSLATE_NOOP("Columns", "Transactions"),
    QT_TRANSLATE_NOOP("Columns", "Block hash"),
    QT_TRANSLATE_NOOP("Columns", "Decision"),
    QT_TRANSLATE_NOOP("Columns", "Reason"),
    QT_TRANSLATE_NOOP("Columns", "Level"),
    QT_TRANSLATE_NOOP("Columns", "Rule"),
    QT_TRANSLATE_NOOP("Columns", "Subject"),
    QT_TRANSLATE_NOOP("Columns", "What happened"),
    QT_TRANSLATE_NOOP("Columns", "Prepaid outstanding"),
    QT_TRANSLATE_NOOP("Columns", "Custody deposit"),
    QT_TRANSLATE_NOOP("Columns", "Coverage"),
    QT_TRANSLATE_NOOP("Columns", "Cards"),
    QT_TRANSLATE_NOOP("Columns", "Payments"),
    QT_TRANSLATE_NOOP("Columns", "Gross"),
    QT_TRANSLATE_NOOP("Columns", "Refunds"),
    QT_TRANSLATE_NOOP("Columns", "Refunded"),
    QT_TRANSLATE_NOOP("Columns", "Left to refund"),
    QT_TRANSLATE_NOOP("Columns", "Problem"),
    QT_TRANSLATE_NOOP("Columns", "payment"),
    QT_TRANSLATE_NOOP("Columns", "refund"),
    QT_TRANSLATE_NOOP("Columns", "on the till, not on chain"),
    QT_TRANSLATE_NOOP("Columns", "on chain, not on the till"),
    QT_TRANSLATE_NOOP("Columns", "amounts differ"),
    QT_TRANSLATE_NOOP("Columns", "refused on chain"),
    QT_TRANSLATE_NOOP("Columns", "up"),
    QT_TRANSLATE_NOOP("Columns", "view change"),
    QT_TRANSLATE_NOOP("Columns", "unreachable"),
]

SESSION = [  # app/session.py's and node/observer.py's fixed messages, shown by ui.common.Tasks
    QT_TRANSLATE_NOOP("Session", "the network is unreachable: nothing was sent; retry when "
                                 "the status bar shows the node following a validator"),
    QT_TRANSLATE_NOOP("Session", "the network did not decide the transaction in time; it "
                                 "may still be decided: look it up before retrying"),
    QT_TRANSLATE_NOOP("Session", "the network did not answer in time; check the node status "
                                 "and retry"),
    # node/observer.py BUSY_NOT_SENT
    QT_TRANSLATE_NOOP("Session", "the network is busy: the validators did not take the "
                                 "transaction, so nothing was ordered; try again in a moment"),
]
