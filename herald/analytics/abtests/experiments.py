"""Which variant of an A/B/n test won, and how sure that is. Pure: counts in, a verdict with its reason out.

Two readings of the same counts, each said in the verdict:
- **The two-proportion z-test** (the textbook frequentist test of two rates): the best variant against each
  other one, the pooled standard error for the test and the unpooled one for the interval of the
  difference; with more than two variants the significance level is divided among the comparisons
  (Bonferroni), so that testing more variants does not find more false winners.
- **The Bayesian probability to beat the others**: each variant's rate as a Beta posterior from a uniform
  prior; the probability that a variant's rate is the highest, integrated numerically (exact, by Evan
  Miller's closed form, for two). It says what a marketer asks — "how likely is B the better one?" — and
  stays meaningful when looked at every hour, where repeated z-tests would declare winners too eagerly.

Herald declares a winner only when every variant has reached the minimum sample and the chosen reading
clears its bar; otherwise it says which of the two is missing."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from herald.errors import Invalid

GRID = 20_001  # points of the numerical integration over a rate in [0, 1]


@dataclass(frozen=True)
class Arm:
    name: str
    trials: int  # recipients (or messages delivered, for read and click rates)
    successes: int  # those who did it: delivered, read, clicked, converted

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float  # two-sided
    difference: float  # rate of the first minus the second
    low: float  # 95 % interval of the difference (unpooled)
    high: float


@dataclass(frozen=True)
class Verdict:
    winner: str | None
    reason: str
    probabilities: dict[str, float]  # the Bayesian probability that each is best
    p_values: dict[str, float]  # the z-test of the best against each other one


def z_test(a: Arm, b: Arm, confidence: float = 0.95) -> ZTest:
    """The two-proportion z-test of a's rate against b's."""
    _check(a)
    _check(b)
    pooled = (a.successes + b.successes) / (a.trials + b.trials)
    se_test = math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials))
    difference = a.rate - b.rate
    z = difference / se_test if se_test else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    se_diff = math.sqrt(a.rate * (1 - a.rate) / a.trials + b.rate * (1 - b.rate) / b.trials)
    margin = _z_of(confidence) * se_diff
    return ZTest(z, p_value, difference, difference - margin, difference + margin)


def probability_best(arms: list[Arm]) -> dict[str, float]:
    """For each arm, the posterior probability (uniform prior) that its rate is the highest."""
    for arm in arms:
        _check(arm)
    if len(arms) == 2:
        a, b = arms
        b_wins = _beats(b, a)
        return {a.name: 1 - b_wins, b.name: b_wins}
    x = np.linspace(0.0, 1.0, GRID)
    posteriors = [stats.beta(1 + arm.successes, 1 + arm.trials - arm.successes) for arm in arms]
    pdfs, cdfs = [p.pdf(x) for p in posteriors], [p.cdf(x) for p in posteriors]
    found = {}
    for i, arm in enumerate(arms):
        others = np.prod([cdfs[j] for j in range(len(arms)) if j != i], axis=0)
        found[arm.name] = float(np.trapezoid(pdfs[i] * others, x))
    total = sum(found.values())
    return {name: p / total for name, p in found.items()}


def _beats(b: Arm, a: Arm) -> float:
    """P(rate of b > rate of a) for Beta(1+s, 1+f) posteriors: Evan Miller's closed form, in logs."""
    alpha_a, beta_a = 1 + a.successes, 1 + a.trials - a.successes
    alpha_b, beta_b = 1 + b.successes, 1 + b.trials - b.successes
    total = 0.0
    for i in range(alpha_b):
        total += math.exp(
            _log_beta(alpha_a + i, beta_a + beta_b)
            - math.log(beta_b + i)
            - _log_beta(1 + i, beta_b)
            - _log_beta(alpha_a, beta_a)
        )
    return min(1.0, max(0.0, total))


def decide(
    arms: list[Arm],
    min_sample: int,
    method: str = "bayes",
    threshold: float = 0.95,
    alpha: float = 0.05,
) -> Verdict:
    """The winner, if the evidence is there: every arm at `min_sample`, and the best one's probability to
    beat the others at `threshold` (bayes), or its difference from each other one significant at `alpha`
    shared among the comparisons (z)."""
    if len(arms) < 2:
        raise Invalid("an A/B test needs two variants at least", where="variants")
    if method not in ("bayes", "z"):
        raise Invalid(f"choose bayes or z, not {method!r}", where="method")
    if not (0 < threshold < 1 and 0 < alpha < 1) or min_sample < 1:
        raise Invalid("threshold and alpha lie between 0 and 1, the minimum sample is 1 or more", where="test")
    probabilities = probability_best(arms)
    best = max(arms, key=lambda arm: (arm.rate, probabilities[arm.name]))
    p_values = {arm.name: z_test(best, arm).p_value for arm in arms if arm is not best}
    short = [arm for arm in arms if arm.trials < min_sample]
    if short:
        arm = short[0]
        why = f"variant {arm.name} has {arm.trials:,} of the {min_sample:,} a verdict needs; no winner yet"
        return Verdict(None, why, probabilities, p_values)
    if method == "bayes":
        sure = probabilities[best.name]
        if sure < threshold:
            why = f"{best.name} is best with probability {sure:.1%}, under the {threshold:.0%} asked; no winner"
            return Verdict(None, why, probabilities, p_values)
        return Verdict(best.name, f"{best.name} is best with probability {sure:.1%}", probabilities, p_values)
    bar = alpha / len(p_values)
    worst = max(p_values, key=lambda name: p_values[name])
    if p_values[worst] >= bar:
        why = f"{best.name} against {worst}: p = {p_values[worst]:.3g}, not under {bar:.3g}; no winner"
        return Verdict(None, why, probabilities, p_values)
    return Verdict(best.name, f"{best.name} beats every other variant at p < {bar:.3g}", probabilities, p_values)


def _check(arm: Arm) -> None:
    if arm.trials < 1 or not 0 <= arm.successes <= arm.trials:
        raise Invalid(f"{arm.successes} of {arm.trials} is not a rate", where=f"variant {arm.name}")


def _z_of(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@dataclass(frozen=True)
class Sample:
    """What a variant earned per recipient, by its sufficient statistics: how many, the sum and the sum
    of squares (revenue, where most recipients earn nothing)."""

    name: str
    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        """The unbiased sample variance."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


def welch(a: Sample, b: Sample) -> tuple[float, float, float]:
    """Welch's t-test of a's mean against b's (unequal variances): (t, degrees of freedom, two-sided p)."""
    if a.n < 2 or b.n < 2:
        raise Invalid("Welch's test needs two recipients per variant at least", where=f"variants {a.name}, {b.name}")
    va, vb = a.variance / a.n, b.variance / b.n
    if va + vb == 0:  # no spread at all: equal means differ by nothing, different ones for certain
        return (0.0, float(a.n + b.n - 2), 1.0) if a.mean == b.mean else (math.inf, float(a.n + b.n - 2), 0.0)
    t = (a.mean - b.mean) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va * va / (a.n - 1) + vb * vb / (b.n - 1))
    return t, df, float(2 * stats.t.sf(abs(t), df))


def decide_means(samples: list[Sample], min_sample: int, alpha: float = 0.05) -> Verdict:
    """The winner by mean (revenue per recipient), if every variant reached `min_sample` and the best one's
    difference from each other one is significant at `alpha` shared among the comparisons (Bonferroni)."""
    if len(samples) < 2:
        raise Invalid("an A/B test needs two variants at least", where="variants")
    best = max(samples, key=lambda s: s.mean)
    p_values = {s.name: welch(best, s)[2] for s in samples if s is not best}
    short = [s for s in samples if s.n < max(min_sample, 2)]
    if short:
        why = f"variant {short[0].name} has {short[0].n:,} of the {max(min_sample, 2):,} a verdict needs; no winner yet"
        return Verdict(None, why, {}, p_values)
    bar = alpha / len(p_values)
    worst = max(p_values, key=lambda name: p_values[name])
    if p_values[worst] >= bar:
        why = f"{best.name} against {worst}: p = {p_values[worst]:.3g}, not under {bar:.3g}; no winner"
        return Verdict(None, why, {}, p_values)
    return Verdict(
        best.name, f"{best.name} earns more per recipient than every other variant at p < {bar:.3g}", {}, p_values
    )
