"""The `smpp` provider: SMS straight to a carrier's or an aggregator's SMSC over SMPP 3.4 — a transceiver
bind per batch, a window of submit_sm outstanding, GSM-7 or UCS-2 parts (`parts`), receipts asked for
and read from deliver_sm, and every command_status mapped, once, to a send result.

Statuses: ESME_RTHROTTLED (0x58) and ESME_RMSGQFUL (0x14) ask to slow down — tried again after a wait;
ESME_RSYSERR (0x08) is the SMSC's own trouble; a refused bind (0x0D, 0x0E, 0x0F) means the account cannot
send and pauses it; ESME_RINVDSTADR (0x0B) marks the number invalid; any other fails the message with
the status kept. No answer to a submit_sm may still mean delivered: Uncertain, never resent blindly.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import Sequence
from dataclasses import replace

from herald.providers.base import (
    Accepted,
    Callback,
    Checked,
    Outgoing,
    Permanent,
    Report,
    Retryable,
    SendResult,
    Uncertain,
)
from herald.providers.smpp import parts, pdu
from herald.providers.smpp.link import Link, LinkLost, NotSent

SLOW_DOWN = {pdu.THROTTLED: 1.0, pdu.QUEUE_FULL: 5.0}  # status -> seconds to wait before asking again
REFUSED_BIND = {pdu.BIND_FAILED, pdu.INVALID_PASSWORD, pdu.INVALID_SYSTEM_ID}
PART_TRIES = 5  # a later part of a text, throttled, is asked again in place this often (its first went)
REBINDS = 3
REMEMBERED = 100_000  # long texts whose receipts are awaited, at most


def status_name(status: int) -> str:
    return f"{pdu.NAMES.get(status, 'status')} (0x{status:08X})"


def refused(status: int) -> SendResult:
    """A submit_sm_resp's non-zero command_status as a send result."""
    said = status_name(status)
    if status in SLOW_DOWN:
        return Retryable(f"the SMSC asks to slow down: {said}", SLOW_DOWN[status])
    if status == 0x00000008:
        return Retryable(f"the SMSC failed: {said}", fault=True)
    if status == pdu.INVALID_DESTINATION:
        return Permanent(f"invalid number: {said}", f"0x{status:08X}", "invalid")
    return Permanent(f"refused: {said}", f"0x{status:08X}")


class SmppProvider:
    kind = "smpp"
    deduplicates = False  # an SMSC sends what it is given, twice if given twice

    def __init__(
        self,
        host: str,
        port: int,
        system_id: str,
        password: str,
        source: str,
        system_type: str = "",
        window: int = 10,
        timeout: float = 10.0,
        validity_seconds: int | None = None,
        flash: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.system_id, self.password = host, port, system_id, password
        self.source, self.system_type, self.window, self.timeout = source, system_type, window, timeout
        self.validity = pdu.relative(validity_seconds) if validity_seconds else ""
        self.flash, self.tls = flash, tls
        self.reports: list[Report] = []  # receipts and handset messages read from the bind, for tracking
        # A long text's receipt names its last part: that part's id -> the whole text's id, as recorded.
        self._whole: dict[str, str] = {}

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        """The batch over one bind, up to `window` submit_sm outstanding; a bind lost midway is made again
        (with growing waits) for the messages not yet submitted."""
        results: list[SendResult | None] = [None] * len(batch)
        for attempt in range(REBINDS):
            left = [i for i, r in enumerate(results) if r is None]
            if not left:
                break
            link = await self.bind()
            if not isinstance(link, Link):
                for i in left:
                    results[i] = link
                break
            try:
                found = await asyncio.gather(*(self._submit(link, batch[i]) for i in left))
            finally:
                await link.close()
            for i, result in zip(left, found, strict=True):
                results[i] = result
            await asyncio.sleep(0.5 * 2**attempt if any(r is None for r in results) else 0)
        return [r if r is not None else Retryable("the SMSC keeps dropping the bind", fault=True) for r in results]

    async def _submit(self, link: Link, item: Outgoing) -> SendResult | None:
        """One text, part after part; None when the bind went before anything of it was submitted."""
        try:
            made = parts.encode(item.body, random.randrange(256))
        except ValueError as exc:
            return Permanent(str(exc))
        ids: list[str] = []
        for index, message in enumerate(made.messages):
            answer = await self._part(link, item, made, message, index)
            if isinstance(answer, str):
                ids.append(answer)
            elif not ids or isinstance(answer, Uncertain):
                return answer
            else:  # earlier parts went: sending the text again would repeat them
                said = answer.reason if isinstance(answer, Retryable | Permanent) else "not sent"
                return Permanent(f"part {index + 1} of {len(made.messages)} failed after the first went: {said}")
        whole = ",".join(ids)[:128]
        if len(ids) > 1:
            self._whole[ids[-1]] = whole
            if len(self._whole) > REMEMBERED:  # the oldest go: their receipts have long come
                del self._whole[next(iter(self._whole))]
        return Accepted(whole)

    async def _part(
        self, link: Link, item: Outgoing, made: parts.Parts, message: bytes, index: int
    ) -> str | SendResult | None:
        """The part's message_id, or what stopped it (None: the bind went before it was submitted)."""
        submit = pdu.Submit(
            item.sender.removeprefix("+") if item.sender else self.source,
            item.to.lstrip("+"),
            message,
            made.data_coding,
            made.esm_class,
            registered_delivery=1 if index == len(made.messages) - 1 else 0,  # one receipt per text
            validity=self.validity,
            flash=self.flash,
        )
        for _ in range(PART_TRIES if index else 1):
            try:
                answer = await link.request(pdu.SUBMIT_SM, submit.body(), self.timeout)
            except NotSent:
                return None if index == 0 else Permanent(f"the bind went before part {index + 1} of a long text")
            except (LinkLost, TimeoutError) as exc:
                return Uncertain(f"no answer from the SMSC to submit_sm ({type(exc).__name__})")
            if answer.status == pdu.OK:
                return pdu.message_id(answer.body)
            if not index or answer.status not in SLOW_DOWN:
                return refused(answer.status)
            await asyncio.sleep(SLOW_DOWN[answer.status])
        return refused(pdu.THROTTLED)

    async def bind(self) -> Link | Retryable:
        """A bound transceiver, or why there is none."""
        where = f"{self.host}:{self.port}"
        try:
            link = await Link.open(self.host, self.port, self.timeout, self.window, self._delivered, self.tls)
        except (OSError, TimeoutError) as exc:
            return Retryable(f"cannot connect to the SMSC at {where}: {exc}", fault=True)
        body = pdu.bind_transceiver(self.system_id, self.password, self.system_type)
        try:
            answer = await link.request(pdu.BIND_TRANSCEIVER, body, self.timeout)
        except (LinkLost, TimeoutError) as exc:
            await link.close()
            return Retryable(f"the SMSC at {where} did not answer the bind ({type(exc).__name__})", fault=True)
        if answer.status != pdu.OK:
            await link.close()
            fatal = answer.status in REFUSED_BIND
            return Retryable(f"the SMSC at {where} refuses the bind: {status_name(answer.status)}", fatal=fatal)
        return link

    def _delivered(self, got: pdu.Delivered) -> None:
        """A receipt or a handset's message, kept for tracking (it may come before its submit_sm_resp)."""
        text = parts.decode(got.data_coding, got.short_message)
        if got.is_receipt:
            found = pdu.receipt(text)
            if found is not None:
                detail = f"{found.stat} err:{found.error}" if found.error else found.stat
                event = f"{found.message_id}:{found.stat}"
                self.reports.append(
                    Report(
                        "status", found.message_id, found.state, text=text, code=found.error, detail=detail, event=event
                    )
                )
            return
        self.reports.append(Report("inbound", None, sender="+" + got.source.lstrip("+"), text=text))

    def take_reports(self) -> list[Report]:
        """The receipts and handset messages read since last asked; a long text's receipt is named by the
        whole text's id, as its send was recorded."""
        taken, self.reports = self.reports, []
        return [
            replace(r, provider_message_id=self._whole.pop(r.provider_message_id, r.provider_message_id))
            if r.kind == "status" and r.provider_message_id
            else r
            for r in taken
        ]

    async def check(self) -> Checked:
        """Bind as a transceiver and unbind: the SMSC takes this account's credentials."""
        link = await self.bind()
        if not isinstance(link, Link):
            return Checked(False, link.reason)
        await link.close()
        return Checked(True, f"bound to {self.host}:{self.port} as {self.system_id} (transceiver)")

    def verify(self, callback: Callback) -> bool:
        return False  # receipts come over the bind, not by webhook

    def parse_webhook(self, callback: Callback) -> list[Report]:
        return []
