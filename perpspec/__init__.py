"""perpspec: the reference specification of the perpetual futures risk waterfall."""

__version__ = "0.1.0"
