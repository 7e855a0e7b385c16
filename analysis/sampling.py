"""Sample sizes for a unit's survey from its number of transactions."""

import math


def sample_size(transactions: int, margin: float) -> int:
    """Yamane's sample size for a finite population, rounded up.

    Parameters
    ----------
    transactions : int
        N, the dossiers the unit handled in the period (>= 0).
    margin : float
        e, the margin of error as a proportion, 0 < e < 1 (0.05 for ±5 points).

    Returns
    -------
    int
        n; 0 when N is 0 (a unit that handled nothing needs nobody).

    Notes
    -----
    .. math:: n = \\left\\lceil \\frac{N}{1 + N e^2} \\right\\rceil

    For N = 1000 and e = 0.05: 1000 / 3.5 = 285.7, so n = 286.

    References
    ----------
    Yamane, T. (1967). *Statistics: An Introductory Analysis*, 2nd ed. Harper & Row.
    """
    if transactions < 0:
        raise ValueError(f"transactions must be >= 0, got {transactions}")
    if not 0 < margin < 1:
        raise ValueError(f"margin must be in (0, 1), got {margin}")
    if transactions == 0:
        return 0
    # The epsilon keeps an exact quotient (N = 400, e = 0.05 → 200.0) from rounding up.
    return math.ceil(transactions / (1 + transactions * margin * margin) - 1e-9)


def margin_of(transactions: int, n: int) -> float | None:
    """The margin of error that a sample of n out of N gives under Yamane's formula.

    Parameters
    ----------
    transactions : int
        N.
    n : int
        The sample size (the unit's target).

    Returns
    -------
    float or None
        e; None when n or N is not positive or n > N.

    Notes
    -----
    The inverse of :func:`sample_size` before rounding:

    .. math:: e = \\sqrt{\\frac{N - n}{N n}}
    """
    if n <= 0 or transactions <= 0 or n > transactions:
        return None
    return math.sqrt((transactions - n) / (transactions * n))
