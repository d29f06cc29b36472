"""A/B/n statistics against textbook values and an independent simulation, and the verdicts they give."""

from __future__ import annotations

import numpy as np
import pytest

from herald.analytics.abtests.experiments import Arm, Sample, decide, decide_means, probability_best, welch, z_test
from herald.errors import Invalid


def test_the_z_test_gives_the_textbook_figures() -> None:
    # 40 of 100 against 25 of 100: pooled rate 0.325, SE 0.066238, z 2.2646, two-sided p 0.02354;
    # unpooled SE 0.065383, so the 95 % interval of the difference is 0.15 ± 1.95996 × 0.065383.
    found = z_test(Arm("a", 100, 40), Arm("b", 100, 25))
    assert found.z == pytest.approx(2.26455, abs=1e-4) and found.p_value == pytest.approx(0.02354, abs=1e-5)
    assert (found.difference, found.low, found.high) == pytest.approx((0.15, 0.02185, 0.27815), abs=1e-5)
    assert z_test(Arm("b", 100, 25), Arm("a", 100, 40)).z == pytest.approx(-found.z)
    assert z_test(Arm("a", 100, 40), Arm("b", 100, 25), confidence=0.99).high == pytest.approx(0.3184, abs=1e-4)


@pytest.mark.parametrize(("a", "b"), [(Arm("a", 50, 0), Arm("b", 80, 0)), (Arm("a", 50, 50), Arm("b", 80, 80))])
def test_rates_that_cannot_differ_give_no_evidence(a: Arm, b: Arm) -> None:
    found = z_test(a, b)
    assert (found.z, found.p_value) == (0.0, 1.0)


def simulated(arms: list[Arm], draws: int = 2_000_000) -> list[float]:
    """An independent check: how often each posterior draw is the highest."""
    rng = np.random.default_rng(7)
    samples = np.vstack([rng.beta(1 + a.successes, 1 + a.trials - a.successes, draws) for a in arms])
    best = np.argmax(samples, axis=0)
    return [float((best == i).mean()) for i in range(len(arms))]


@pytest.mark.parametrize(
    "arms",
    [
        [Arm("A", 1000, 100), Arm("B", 1000, 130)],  # Evan Miller's closed form
        [Arm("A", 200, 30), Arm("B", 180, 22)],
        [Arm("A", 1000, 100), Arm("B", 1000, 130), Arm("C", 1000, 120)],  # numerical integration
        [Arm("A", 500, 40), Arm("B", 500, 45), Arm("C", 500, 38), Arm("D", 400, 30)],
    ],
)
def test_the_probability_to_be_best_agrees_with_simulation(arms: list[Arm]) -> None:
    found = probability_best(arms)
    assert list(found.values()) == pytest.approx(simulated(arms), abs=0.002)
    assert sum(found.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("k", [2, 3])
def test_equal_variants_are_equally_likely_best(k: int) -> None:
    found = probability_best([Arm(chr(65 + i), 300, 60) for i in range(k)])
    assert list(found.values()) == pytest.approx([1 / k] * k, abs=1e-6)


@pytest.mark.parametrize(
    ("arms", "options", "winner", "reason"),
    [
        ([Arm("A", 1000, 100), Arm("B", 1000, 130)], {"min_sample": 500}, "B", "best with probability 98.2%"),
        ([Arm("A", 1000, 100), Arm("B", 400, 60)], {"min_sample": 500}, None, "variant B has 400 of the 500"),
        ([Arm("A", 1000, 100), Arm("B", 1000, 112)], {"min_sample": 500}, None, "under the 95% asked"),
        ([Arm("A", 1000, 100), Arm("B", 1000, 112)], {"min_sample": 500, "threshold": 0.75}, "B", "probability"),
        ([Arm("A", 1000, 100), Arm("B", 1000, 130)], {"min_sample": 500, "method": "z"}, "B", "at p < 0.05"),
        # Three variants: the 5 % is shared by two comparisons, and B against C is not under 0.025.
        (
            [Arm("A", 1000, 100), Arm("B", 1000, 140), Arm("C", 1000, 115)],
            {"min_sample": 500, "method": "z"},
            None,
            "B against C: p = ",
        ),
        (
            [Arm("A", 2000, 200), Arm("B", 2000, 300), Arm("C", 2000, 210)],
            {"min_sample": 500, "method": "z"},
            "B",
            "at p < 0.025",
        ),
    ],
)
def test_a_winner_is_declared_only_on_enough_evidence(arms, options, winner, reason: str) -> None:
    verdict = decide(arms, **options)
    assert verdict.winner == winner and reason in verdict.reason
    assert set(verdict.probabilities) == {a.name for a in arms} and len(verdict.p_values) == len(arms) - 1


@pytest.mark.parametrize(
    ("arms", "options", "error"),
    [
        ([Arm("A", 100, 10)], {"min_sample": 10}, "two variants at least"),
        ([Arm("A", 100, 10), Arm("B", 100, 12)], {"min_sample": 10, "method": "vote"}, "choose bayes or z"),
        ([Arm("A", 100, 10), Arm("B", 100, 12)], {"min_sample": 10, "threshold": 1.5}, "between 0 and 1"),
        ([Arm("A", 100, 10), Arm("B", 100, 12)], {"min_sample": 0}, "minimum sample"),
        ([Arm("A", 100, 10), Arm("B", 0, 0)], {"min_sample": 10}, "variant B: 0 of 0 is not a rate"),
        ([Arm("A", 100, 110), Arm("B", 100, 12)], {"min_sample": 10}, "variant A: 110 of 100"),
    ],
)
def test_a_test_that_cannot_be_read_is_refused_with_the_reason(arms, options, error: str) -> None:
    with pytest.raises(Invalid, match=error):
        decide(arms, **options)


def sample(name: str, values: list[float]) -> Sample:
    return Sample(name, len(values), sum(values), sum(v * v for v in values))


# Welch's textbook example (unequal variances, 15 and 15 observations): t = -2.46, df = 25.0, p = 0.021.
WELCH_A = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
WELCH_B = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]


def test_welchs_test_gives_the_textbook_figures() -> None:
    t, df, p = welch(sample("A", WELCH_A), sample("B", WELCH_B))
    assert (round(t, 2), round(df, 1), round(p, 3)) == (-2.46, 25.0, 0.021)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([5.0, 5.0, 5.0], [5.0, 5.0], (0.0, 3.0, 1.0)),
        ([5.0, 5.0, 5.0], [7.0, 7.0], (float("inf"), 3.0, 0.0)),
    ],
)
def test_samples_without_spread_differ_for_certain_or_not_at_all(a, b, expected) -> None:
    assert welch(sample("A", a), sample("B", b)) == expected


def test_welchs_test_needs_two_recipients_a_side() -> None:
    with pytest.raises(Invalid, match="variants A, B: Welch's test needs two recipients"):
        welch(sample("A", [1.0]), sample("B", [1.0, 2.0]))
    assert (Sample("C", 0, 0, 0).mean, Sample("C", 1, 3, 9).variance) == (0.0, 0.0)


REVENUE_A = [0.0] * 180 + [10.0] * 20
REVENUE_B = [0.0] * 160 + [12.0] * 40


@pytest.mark.parametrize(
    ("samples", "least", "winner", "reason"),
    [
        ([sample("A", REVENUE_A), sample("B", REVENUE_B)], 100, "B", "B earns more per recipient"),
        ([sample("A", REVENUE_A), sample("B", REVENUE_B)], 500, None, "variant A has 200 of the 500"),
        ([sample("A", WELCH_A), sample("B", WELCH_B), sample("C", WELCH_B)], 10, None, "not under 0.025; no winner"),
    ],
)
def test_a_revenue_winner_needs_the_sample_and_a_significant_difference(samples, least, winner, reason) -> None:
    found = decide_means(samples, least)
    assert found.winner == winner and reason in found.reason and found.probabilities == {}


def test_a_revenue_test_needs_two_variants() -> None:
    with pytest.raises(Invalid, match="two variants at least"):
        decide_means([sample("A", REVENUE_A)], 10)
