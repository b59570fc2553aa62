"""The web app: the physicians' chat, the review desk and the SQLite store behind them."""
