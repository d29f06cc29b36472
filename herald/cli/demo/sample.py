"""Deterministic, realistic sample contacts for the demo and the benchmarks: numbers valid for their
country's mobile ranges, written the many ways businesses write them, with duplicates, invalid numbers,
bad emails and missing consent mixed in. `python -m herald.cli.demo.sample N > file.csv`."""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator

import phonenumbers

HEADER = ["name", "phone", "email", "country", "consent_sms", "consent_whatsapp", "consent_email"]

# country: (weight, mobile prefixes, national significant length, trunk prefix written nationally)
COUNTRIES = {
    "CN": (25, ["138", "139", "150", "158", "186", "188", "135", "177"], 11, ""),
    "IN": (20, ["98", "99", "97", "70", "81", "90"], 10, "0"),
    "US": (15, ["212", "415", "305", "312", "206", "702", "407", "808"], 10, ""),
    "BR": (15, ["119", "219", "319", "619", "719"], 11, "0"),
    "NP": (12, ["984", "985", "986", "980", "981", "982"], 10, ""),
    "NA": (8, ["81", "85"], 9, "0"),
    "GB": (5, ["77", "78", "79", "74"], 10, "0"),
}
NAMES = {
    "CN": (
        ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰"],
        ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"],
    ),
    "IN": (
        ["Priya", "Rahul", "Anita", "Vikram", "Sneha", "Arjun", "Kavya", "Rohan"],
        ["Patel", "Sharma", "Singh", "Iyer", "Reddy", "Gupta", "Nair"],
    ),
    "US": (
        ["Emily", "James", "Olivia", "Michael", "Sophia", "Daniel", "Ava", "Ethan"],
        ["Johnson", "Smith", "Garcia", "Brown", "Miller", "Davis", "Martinez"],
    ),
    "BR": (
        ["João", "Maria", "Ana", "Pedro", "Lucas", "Juliana", "Gabriel", "Beatriz"],
        ["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Almeida"],
    ),
    "NP": (
        ["Sita", "Ram", "Gita", "Hari", "Anjali", "Bikash", "Sunita", "Prakash"],
        ["Sharma", "Thapa", "Gurung", "Shrestha", "Adhikari", "Rai", "Tamang"],
    ),
    "NA": (
        ["Ndapewa", "Johannes", "Selma", "Petrus", "Maria", "Tangeni", "Hilma", "Frans"],
        ["Shikongo", "Nghipandulwa", "Amutenya", "Iipumbu", "Haufiku", "Nangolo"],
    ),
    "GB": (
        ["Oliver", "Amelia", "George", "Isla", "Harry", "Emily", "Jack"],
        ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans"],
    ),
}
PINYIN = {"王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang", "赵": "zhao"}
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "qq.com", "163.com", "hotmail.com", "mail.com"]
INVALID_PHONES = ["12345", "n/a", "+999 555 0100", "000000", "98412345678901234", "call me", "+1 555"]
INVALID_EMAILS = ["no-email", "user@", "@example.com", "first last@example.com"]


def _number(rng: random.Random, country: str) -> phonenumbers.PhoneNumber:
    _, prefixes, length, _ = COUNTRIES[country]
    code = phonenumbers.country_code_for_region(country)
    while True:
        prefix = rng.choice(prefixes)
        rest = "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
        number = phonenumbers.parse(f"+{code}{prefix}{rest}")
        if phonenumbers.is_valid_number(number):
            return number


def _written(rng: random.Random, number: phonenumbers.PhoneNumber, country: str) -> tuple[str, str]:
    """(phone as a business might write it, country column)."""
    style = rng.random()
    intl = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if style < 0.30:
        return intl, rng.choice(["", country])
    if style < 0.45:
        return intl.replace("+", "00", 1).replace(" ", ""), ""
    if style < 0.55:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
    if style < 0.65:
        return national.replace(" ", "").replace("-", ""), country
    return national, country


def _name(rng: random.Random, country: str) -> tuple[str, str]:
    given, family = NAMES[country]
    first, last = rng.choice(given), rng.choice(family)
    if country == "CN":
        return last + first, f"{PINYIN[last]}{rng.randint(1, 9999)}"
    return f"{first} {last}", f"{first}.{last}{rng.randint(1, 999)}".lower()


def _consent(rng: random.Random, yes: float, no: float) -> str:
    roll = rng.random()
    return rng.choice(["yes", "y", "true", "1"]) if roll < yes else "no" if roll < yes + no else ""


def rows(n: int, seed: int = 7) -> Iterator[list[str]]:
    """`n` data rows (no header): ~5% duplicates in another format, ~3% invalid numbers."""
    rng = random.Random(seed)
    countries = list(COUNTRIES)
    weights = [COUNTRIES[c][0] for c in countries]
    earlier: list[tuple[phonenumbers.PhoneNumber, str, list[str]]] = []
    for _ in range(n):
        if earlier and rng.random() < 0.05:
            number, country, row = rng.choice(earlier)
            phone, col = _written(rng, number, country)
            yield [row[0], phone, row[2] if rng.random() < 0.5 else "", col, *row[4:]]
            continue
        country = rng.choices(countries, weights)[0]
        name, local = _name(rng, country)
        number = _number(rng, country)
        phone, col = _written(rng, number, country)
        if rng.random() < 0.03:
            phone, col = rng.choice(INVALID_PHONES), rng.choice(["", country])
        email = f"{local}@{rng.choice(DOMAINS)}" if rng.random() < 0.55 else ""
        if email and rng.random() < 0.03:
            email = rng.choice(INVALID_EMAILS)
        row = [
            name,
            phone,
            email,
            col,
            _consent(rng, 0.70, 0.08),
            _consent(rng, 0.45, 0.05),
            _consent(rng, 0.6, 0.05) if email else "",
        ]
        if len(earlier) < 50_000:
            earlier.append((number, country, row))
        yield row


def write_csv(path_or_file, n: int, seed: int = 7) -> None:
    """Write a header and `n` rows as UTF-8 CSV."""
    handle = open(path_or_file, "w", encoding="utf-8", newline="") if isinstance(path_or_file, str) else path_or_file
    writer = csv.writer(handle)
    writer.writerow(HEADER)
    writer.writerows(rows(n, seed))
    if handle is not path_or_file:
        handle.close()


if __name__ == "__main__":
    write_csv(sys.stdout, int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
