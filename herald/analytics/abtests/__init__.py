"""A/B/n tests: which variant won and how sure that is (`experiments`, pure), the variants side by side
(`variants`), and a test phase judged once its messages have had their hold (`winners`)."""
