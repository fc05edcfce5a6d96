"""Mark price, index price and funding rate: the rules that produce the waterfall's trigger.

Public functions (exact Fractions in, an exact Fraction out; a :class:`SpecError` naming the
field on bad input):

* :mod:`~perpspec.reference.mark.index_price` (rule ``mark.index-price``):
  ``compute_index_price(sources: Sequence[SourcePrice], rule: IndexRule = IndexRule(),
  now: datetime | None = None)``; ``select_index_sources(sources, rule, now)`` (the usable
  sources, weights renormalized to 1; :class:`IndexSourcesError` below ``rule.min_sources``);
  ``exclude_stale_sources``, ``exclude_outlying_sources``, ``renormalize_weights``,
  ``compute_median(values)``, ``compute_weighted_median([(value, weight), ...])``.
  ``SourcePrice(source, price, weight=1, ts=None)``; ``IndexRule(method, max_deviation,
  max_age, min_sources)``.
* :mod:`~perpspec.reference.mark.mark_price` (rules ``mark.mark-price``,
  ``mark.funding-basis``): ``compute_mark_price(inputs: MarkInputs, rule: MarkRule =
  MarkRule())``; ``compute_funding_basis(rate, time_until_funding, interval)``,
  ``compute_fair_price(index, rate, time_until_funding, interval)``,
  ``compute_median_of_three_mark(index, rate, time_until_funding, basis_average, last_price,
  interval)``, ``compute_basis_moving_average(samples: Sequence[BasisSample])``,
  ``compute_median_of_three(a, b, c)``, ``compute_oracle_price(prices:
  Sequence[SourcePrice])``. ``MarkRule(method, funding_interval)``; ``MarkInputs(index,
  funding_rate, time_until_funding, basis_average, basis_samples, last_price,
  oracle_prices)``.
* :mod:`~perpspec.reference.mark.funding_rate` (rules ``mark.funding-premium``,
  ``mark.funding-clamp``, ``mark.funding-rate``): ``compute_premium_index(impact_bid,
  impact_ask, index)``, ``compute_average_premium(premiums, averaging)``,
  ``compute_funding_rate(average_premium, rule: FundingRule = FundingRule())``,
  ``compute_clamped_rate(premium, interest_rate, clamp_bound)``,
  ``compute_capped_rate(rate, cap, floor)``, ``clamp(value, low, high)``,
  ``compute_interest_rate(quote_rate, base_rate, intervals_per_day)``,
  ``compute_position_funding(kind, qty, multiplier, mark, rate)`` (the engine's payment).
  ``FundingRule(interest_rate, clamp_bound, cap, floor, averaging, scale, interval)``.

A profile carries the rules as ``profile.index``, ``profile.mark`` and ``profile.funding``
(each None when the profile has no such section: the mark and the rate are then given
inputs, as before).
"""
