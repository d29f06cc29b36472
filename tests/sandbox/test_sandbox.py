"""`herald sandbox`: the stand-ins the operators rehearse against, with faults drawn at the rates asked."""

from __future__ import annotations

import asyncio
import threading
import time
import tomllib
from dataclasses import replace

import pytest

from herald.providers import (
    Accepted,
    AliyunProvider,
    Outgoing,
    ProviderShared,
    Retryable,
    TwilioProvider,
    Uncertain,
    WebhookProvider,
    WhatsAppCloudProvider,
    provider_of,
    read_accounts,
)
from herald.sandbox import ENVIRON, Ports, aliyun, gateway, twilio, whatsapp
from herald.sandbox.cli import serve
from herald.sandbox.faults import Faults
from tests.cli.test_cli import herald

SERVED = (("gateway", "url"), ("twilio", "base_url"), ("aliyun", "endpoint"), ("whatsapp", "base_url"))


def test_faults_are_drawn_at_the_rates_asked_and_alike_for_a_seed() -> None:
    faults = Faults(fail_rate=0.1, throttle_rate=0.2, timeout_rate=0.05, seed=3)
    drawn = [faults.draw() for _ in range(20_000)]
    shares = {k: drawn.count(k) / len(drawn) for k in ("broken", "busy", "hang", None)}
    assert abs(shares["broken"] - 0.1) < 0.01 and abs(shares["busy"] - 0.2) < 0.01
    assert abs(shares["hang"] - 0.05) < 0.01 and abs(shares[None] - 0.65) < 0.015
    again = Faults(fail_rate=0.1, throttle_rate=0.2, timeout_rate=0.05, seed=3)
    assert [again.draw() for _ in range(100)] == drawn[:100]
    assert Faults().draw() is None


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"fail_rate": 1.5}, "fail_rate: expected a share between 0 and 1"),
        ({"fail_rate": 0.6, "throttle_rate": 0.6}, "add up to more than 1"),
        ({"latency": -1}, "latency: expected seconds of 0 or more"),
    ],
)
def test_impossible_rates_are_refused(options, words) -> None:
    with pytest.raises(ValueError, match=words):
        Faults(**options)


def test_the_sandbox_serves_every_stand_in_and_says_what_each_took_in(capsys) -> None:
    stop, got = threading.Event(), []
    faults = Faults(throttle_rate=0.5, seed=1)
    server = threading.Thread(target=lambda: got.append(serve(faults, Ports(), stop)))
    server.start()
    config = ""
    for _ in range(100):  # the config is printed once both listen
        config += capsys.readouterr().out
        if "[routing]" in config:
            break
        time.sleep(0.05)
    tables = tomllib.loads(config)["providers"]
    urls = [tables[f"sandbox-{name}"][key] for name, key in SERVED]
    template = {"aliyun": {"template_code": "SMS_154950910", "template_param": {"name": "Li"}}}
    messages = [
        Outgoing(i, f"k{i}", "sms", f"+861380013{i:04d}", "Hello. Reply STOP to opt out.", payload=template)
        for i in range(20)
    ]
    to_gateway = asyncio.run(WebhookProvider(urls[0], gateway.SECRET).send(messages))
    to_twilio = asyncio.run(TwilioProvider(twilio.SID, twilio.TOKEN, {"from": "+15005550006"}, urls[1]).send(messages))
    to_aliyun = asyncio.run(AliyunProvider(aliyun.KEY_ID, aliyun.SECRET, aliyun.SIGN, urls[2]).send(messages))
    texts = [replace(m, channel="whatsapp") for m in messages]
    to_whatsapp = asyncio.run(WhatsAppCloudProvider(whatsapp.NUMBER_ID, whatsapp.TOKEN, urls[3]).send(texts))
    mailer = provider_of(read_accounts({"m": tables["sandbox-mail"]}, ENVIRON)["m"], ProviderShared())
    letters = [Outgoing(i, f"k{i}", "email", f"p{i}@example.com", "Hello", "Hi") for i in range(20)]
    to_mail = asyncio.run(mailer.send(letters))
    smsc = provider_of(read_accounts({"s": tables["sandbox-smpp"]}, ENVIRON)["s"], ProviderShared())
    to_smsc = asyncio.run(smsc.send(messages))
    stop.set()
    server.join(10)
    answers = (to_gateway, to_twilio, to_aliyun, to_whatsapp, to_mail, to_smsc)
    accepted = [sum(isinstance(r, Accepted) for r in rs) for rs in answers]
    throttled = [sum(isinstance(r, Retryable) for r in rs) for rs in answers]
    assert got == [
        {
            "twilio": accepted[1],
            "aliyun": accepted[2],
            "whatsapp": accepted[3],
            "mail": accepted[4],
            "smpp": accepted[5],
            "gateway": accepted[0],
            "refused": 0,
        }
    ]
    assert all(throttled) and sum(accepted) + sum(throttled) == 120
    assert not any(isinstance(r, Uncertain) for rs in answers for r in rs)


def test_the_sandbox_refuses_impossible_rates_in_one_line(capsys) -> None:
    herald(capsys, "sandbox", "--fail-rate", "0.7", "--timeout-rate", "0.7", code=2)
    assert herald.last_err == "error: sandbox: the rates add up to more than 1\n"
