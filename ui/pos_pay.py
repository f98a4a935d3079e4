"""The POS sale's payment: signed once, recorded before it is sent (app/till.py), its
outcome shown; a payment left undecided is looked up until the network decides it.

``SaleFlow`` is the part of ``PosWindow`` (ui/pos.py) that pays: it uses the window's
basket, card, stage line and notice, and its ``till``.  (``self.tr`` finds its words
under "SaleFlow": PySide6 looks a translation up along the class's MRO.)
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from app.flows import my_card_query
from app.model import CardFile, SigningKey
from app.outbox import Entry
from app.session import Session, SessionError
from app.till import OfflineRefused, Outcome, Till
from ui import texts
from ui.common import Notice, Tasks, when, yuan
from ui.pos_day import DayTab
from ui.pos_goods import GoodsPanel
from ui.pos_pending import PaymentsTab
from ui.pos_refund import RefundTab
from ui.receipt_print import ReceiptPanel


class SaleFlow:
    # what the window it is mixed into provides (ui/pos.py); annotations only, so that the
    # window's own attributes and Qt's methods are found as before
    session: Session
    till: Till
    notice: Notice
    tasks: Tasks
    payments: PaymentsTab
    refunds: RefundTab
    day: DayTab
    receipt: ReceiptPanel
    goods: GoodsPanel
    basket: dict[str, int]
    items: Callable[[], list[dict[str, Any]]]
    card: CardFile | None
    card_key: SigningKey | None
    in_flight: Entry | None
    paying: bool
    resolving: bool
    last_receipt: dict[str, Any] | None
    tr: Callable[[str], str]
    locked: Callable[[], bool]
    tendered: Callable[[], int]
    cash: Any
    chosen_banks: Callable[[], list[str]]
    forget_card: Callable[[], None]
    refresh_card: Callable[[], Coroutine[Any, Any, None]]
    _lock: Callable[[bool], None]
    _basket_changed: Callable[[], None]
    _stage: Callable[[str | Callable[[], str]], None]

    def _card_signs(self, purpose: str) -> dict[str, Any]:
        """The card, its signature and the time, for a query that needs the card present
        (the validators' ``offer``)."""
        assert self.card is not None and self.card_key is not None
        return my_card_query(self.card.card, self.card_key, self.session.now(), purpose)

    def _resume_pending(self) -> None:
        """A payment left undecided (the app was closed or killed while it was under way)
        comes back with its basket, locked, and is looked up before anything else."""
        self.payments.refresh()
        waiting = [e for e in self.till.pending() if not e.offline]
        if not waiting or self.in_flight is not None:
            return
        e = waiting[0]
        tx_items = self.till.outbox_items(e)
        self.basket = {i["sku"]: int(i["qty"]) for i in tx_items}
        self._basket_changed()
        self.in_flight = e
        self._lock(True)
        self._stage(lambda: self.tr("⟳ Order %1 (%2) was under way when the till stopped; "
                                    "looking up its outcome…").replace("%1", e.order or "")
                    .replace("%2", yuan(e.amount or 0)))
        self.tasks.coalesce("resolve", self.resolve_pending, self.notice)


    def pay(self) -> None:
        self.notice.clear()
        if self.locked():
            self.notice.error(self.tr("A payment for this basket is under way: wait for "
                                      "its outcome."))
            return
        if not self.basket:
            self.notice.error(self.tr("The basket is empty."))
            return
        if self.card is None or self.card_key is None:
            self.notice.error(self.tr("Read the customer's card (card file and PIN) first."))
            return
        try:
            self.tendered()
        except ValueError as exc:
            self.notice.error(self.tr("Cash: %1").replace("%1", str(exc)))
            return
        self.paying = True
        self._lock(True)
        task = self.tasks.spawn(self._pay(), self.notice)
        task.add_done_callback(lambda _t: self._paid())

    def _paid(self) -> None:
        self.paying = False
        self._lock(self.in_flight is not None)

    def _refused_here(self, o: dict[str, Any], cash: int = 0) -> bool:
        """What the chain would refuse is said here and not sent: cash over what is left
        after points (or the whole order), a card that is not active, or one that holds
        less than the card's share of the basket (the offer carries the card as the
        validators have it now)."""
        if cash and (cash > o["cash_due"] or cash >= o["total"]):
            self.notice.error(self.tr(
                "Cash of %1 is more than the %2 left after points: take the whole sale in "
                "cash without the card, or less cash. Nothing was charged.")
                .replace("%1", yuan(cash)).replace("%2", yuan(o["cash_due"])))
            return True
        status, balance = o.get("card_status"), o.get("card_balance")
        if status is not None and status != "active":
            self.notice.error(self.tr("This card is %1: it cannot pay. Nothing was charged.")
                              .replace("%1", texts.status(status)))
            return True
        if balance is not None and o["cash_due"] - cash > balance:
            self.notice.error(self.tr(
                "The card holds %1 and %2 is due from it: use points, take fewer goods or "
                "another card. Nothing was charged.").replace("%1", yuan(balance))
                .replace("%2", yuan(o["cash_due"] - cash)))
            return True
        return False

    async def _pay(self) -> None:
        assert self.card is not None and self.card_key is not None
        banks = self.chosen_banks()
        o = await self.session.query("offer", items=self.items(), banks=banks,
                                     **self._card_signs("offer"))
        cash = self.tendered()
        if self._refused_here(o, cash):
            return
        tx = self.till.sign(self.card.card, self.card_key, self.items(), o, banks,
                            cash_tendered=cash)
        order = tx.body["order"]
        self.last_receipt = None

        def stage(name: str, p: dict[str, Any]) -> None:
            if self.last_receipt is not None:
                return
            if name == "signed":
                self._stage(lambda: self.tr("① Signed by the terminal and the card · "
                                            "order %1").replace("%1", order))
            elif name == "sent":
                self._stage(lambda: self.tr("② Submitted to the network, waiting for the "
                                            "validators to order it…"))
            elif name == "ordered":
                seq, view = str(p.get("seq")), str(p.get("view"))
                self._stage(lambda: self.tr("③ Ordered: sequence number %1 in view %2, "
                                            "waiting for 2f+1 commits…").replace("%1", seq)
                            .replace("%2", view))
            elif name == "busy":
                secs = f"{int(p.get('retry_in_ms') or 0) / 1000:.1f}"
                self._stage(lambda: self.tr("② The network is busy; sending again in %1 "
                                            "s…").replace("%1", secs))

        try:
            outcome = await self.till.pay(tx, stage)
        except OfflineRefused as exc:
            if not exc.limit:
                raise SessionError(self.tr("The network is unreachable and this consortium "
                                           "takes no card offline: nothing was charged.")) \
                    from None
            raise SessionError(self.tr(
                "The network is unreachable and this card cannot be taken offline: %1 is over "
                "the offline limit (%2 a payment, %3 left today for this card). Nothing was "
                "charged.").replace("%1", yuan(o["total"])).replace("%2", yuan(exc.limit))
                .replace("%3", yuan(exc.left))) from None
        before = o.get("card_balance")  # the card as the validators had it just before
        await self._show_outcome(outcome, o["total"],
                                 None if before is None else before - o["cash_due"] + cash)

    async def _show_outcome(self, outcome: Outcome, total: int,
                            balance_after: int | None = None) -> None:
        """What a payment came to, on the sale screen; the sale ends unless it was refused
        (then the cashier may change the basket and try again with the same card)."""
        e = outcome.entry
        order = e.order or ""
        self.payments.refresh()
        if outcome.state == "pending":
            self.in_flight = e
            self.forget_card()  # a resubmission needs no key: the same signed bytes
            self._stage(lambda: self.tr("⟳ No decision heard yet for order %1: the till keeps "
                                        "looking it up and sends the same payment again. Do "
                                        "not charge the customer again.").replace("%1", order))
            self.notice.error(lambda: self.tr("Outcome unknown: this payment is pending "
                                              "(Payments tab). The basket stays locked "
                                              "until it is decided."))
            return
        self.in_flight = None
        if outcome.state == "offline":
            self._stage(lambda: self.tr("⇢ Taken offline: order %1 is sent when the network "
                                        "returns").replace("%1", order))
            self._end_sale()
            self.notice.ok(lambda: self.tr("Taken offline: %1. The chain decides it when the "
                                           "network returns (Payments tab).")
                           .replace("%1", yuan(total)))
            return
        if outcome.state == "not_sent":
            self._stage(lambda: self.tr("✗ Not sent: nothing was charged"))
            raise SessionError(outcome.message)
        r = outcome.receipt
        if outcome.state == "refused":
            at_height = r.height if r is not None else None
            self._stage(lambda: self.tr("✗ Refused at height %1").replace("%1", str(at_height))
                        if at_height is not None else
                        self.tr("✗ Refused before it reached the network"))
            if r is not None:
                code, message = r.code, r.message
                self.notice.error(lambda: texts.decision(code, message))
            else:
                self.notice.error(outcome.message)
            if self.card is not None:
                await self.refresh_card()
            return
        height, at = (r.height, r.time) if r is not None else (None, None)
        self._stage(lambda: self.tr("④ Committed at height %1, %2 (signed by 2f+1 "
                                    "validators)").replace("%1", str(height))
                    .replace("%2", when(at)))
        try:
            full = await self.session.query("receipt", id=e.id)
        except SessionError:
            full = None  # paid all the same; the receipt can be printed from its id later
        self.last_receipt = full or {"id": e.id}
        if full is not None:
            self.receipt.show_receipt(full, total, order, balance_after)
        self._end_sale()
        self.notice.ok(lambda: self.tr("Paid %1.").replace("%1", yuan(total)))
        # the other tabs catch up on their own (a failure there is not the sale's)
        self.tasks.spawn(self.day.refresh())
        self.tasks.spawn(self.refunds.refresh())

    def _end_sale(self) -> None:
        """The basket empties and the card is forgotten: the next sale needs card and PIN."""
        self.basket.clear()
        self.cash.clear()
        self._basket_changed()  # (clears the form's message, so it comes first)
        self.forget_card()
        self._lock(False)
        self.goods.entry.setFocus()  # the next sale starts at the goods field

    async def resolve_pending(self) -> None:
        """Look every undecided payment up (the same bytes sent again if the network has not
        decided it); the sale screen shows its basket's, the others are listed."""
        if self.resolving:
            return  # one look-up at a time: a resubmission may wait seconds for its answer
        self.resolving = True
        try:
            await self._resolve_pending()
        finally:
            self.resolving = False

    async def _resolve_pending(self) -> None:
        for e in self.till.pending():
            outcome = await self.till.resolve(e)
            if outcome.state in ("pending", "offline"):
                continue
            if self.in_flight is not None and e.id == self.in_flight.id:
                await self._show_outcome(outcome, e.amount or 0)
                self._lock(self.paying)
            elif outcome.declined_offline:
                self.notice.error(self.tr("Order %1 (%2), taken offline, was declined by the "
                                          "network: %3").replace("%1", e.order or "")
                                  .replace("%2", yuan(e.amount or 0))
                                  .replace("%3", texts.code(str(outcome.entry.code))))
        self.payments.refresh()
