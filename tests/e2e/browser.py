"""How we start Debian's Chromium headless on these machines (no browser download)."""

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home, which the closed network
# of our machines refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
